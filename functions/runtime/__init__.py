"""The shared runtime every function uses: settings, database, errors, auth, health, logging.

A domain imports the runtime; the runtime imports no domain.
"""
