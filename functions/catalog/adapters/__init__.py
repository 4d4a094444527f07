"""Catalog adapters: what the use cases use of the world outside (image files, the demo seed)."""
