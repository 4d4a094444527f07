"""The floor of the cold-start and throughput benches: a functions-framework hello world.

Run the same way as every function (`python -m functions_framework`, gunicorn, the same
environment from knative/config.yaml), so a ratio to it shows what our own code costs.
"""

import functions_framework


@functions_framework.http
def hello(request):  # noqa: ARG001
    return "Hello, World!"
