"""Payments adapters: the payment provider (the simulator comes with the payments slice)."""
