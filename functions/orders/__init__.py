"""The orders domain: each shopper's cart, and orders from `pending` to their final status."""
