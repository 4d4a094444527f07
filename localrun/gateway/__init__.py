"""The local stand-in for Kong 3.9 in DB-less mode: routes from `knative/kong/kong.yaml` (`kong.py`),
the server and proxy (`server.py`, `proxy.py`, `wire.py`), Kong's env vault (`vault.py`) and the
plugins the file uses (`plugins/`)."""
