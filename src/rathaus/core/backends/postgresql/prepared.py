"""A psycopg cursor on Django's connection, for statements prepared on the server.

Django's cursors bind parameters on the client, so PostgreSQL parses and plans each
statement anew. The hot statements (the hold, ADR 0024; the availability miss, ADR 0102)
go through psycopg directly with ``execute(sql, params, prepare=True)``: prepared once
per connection. Where the settings set ``prepare_threshold`` to None (PgBouncer before
1.21), psycopg prepares nothing even then.
"""

from contextlib import contextmanager

import psycopg
from django.db import connection


@contextmanager
def cursor(cursor_class: type[psycopg.Cursor] = psycopg.Cursor):
    """A ``cursor_class`` (``psycopg.RawCursor`` for ``$1`` parameters) on the default
    connection, its errors turned into Django's as its own cursors do."""
    connection.ensure_connection()
    with connection.wrap_database_errors, cursor_class(connection.connection) as raw:
        yield raw
