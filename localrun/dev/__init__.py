"""Developer tools: `python -m localrun.dev` (`make dev`), its keys, scratch databases, the embedded
PostgreSQL, the outbox relays and the storefront, as `make dev` runs them."""
