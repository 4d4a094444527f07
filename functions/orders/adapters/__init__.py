"""Orders adapters: what the use cases ask of other domains over HTTP (catalog, accounts)."""
