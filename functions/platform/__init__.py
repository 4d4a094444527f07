"""The platform's own functions: not a domain (no schema, no events, no rules of a business).

Today one: the API's document and its docs page, served by a function like every endpoint, so
the gateway routes to it the same way in both runtimes.
"""
