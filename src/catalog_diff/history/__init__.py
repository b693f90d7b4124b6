"""The history index: SQLite schema and migrations, the index file, ingest, the store, and the
queries (timeline). Nothing is imported here: the fast entry point imports indexpath and
migrations alone.
"""
