"""Accounts adapters: what the use cases use of the world outside (argon2, JWT signing)."""
