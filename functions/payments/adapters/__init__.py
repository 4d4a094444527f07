"""Payments adapters: the payment provider (provider.py, its simulator in simulator.py) and what
payments asks of orders (orders.py)."""
