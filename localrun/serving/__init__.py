"""Knative Serving, locally: the Knative Services read from `knative/services/` (`manifests.py`), and
the activator that starts a function's process on its first request and stops it when idle
(`activator.py`, `launcher.py`, `processes.py`)."""
