"""Django's PostgreSQL backend, with a connection health check that needs no round trip.

``CONN_HEALTH_CHECKS`` (settings.py) keeps a worker's connection from one request to the
next and checks it before the request's first query, so that a connection the server
ended meanwhile (PostgreSQL restarted, the backend terminated, PgBouncer or a firewall
closing an idle connection) is replaced instead of failing the request. Django checks
with ``SELECT 1``: a round trip to the database on every request that touches it, about
an eighth of a booking's database statements and 8 % of the app server's busy samples
in the booking rush (docs/performance.md, issue 24).

Here the check first looks at the socket without waiting: between requests the
connection is idle, and the server sends an idle connection nothing unless it ends the
session (an error message such as "terminating connection due to administrator
command", then the end of the stream) or a notification arrives. Nothing to read and
the connection in a good state: usable, as far as ``SELECT 1`` could have told. Anything
to read, or a socket that cannot be polled: Django's ``SELECT 1`` decides, as before.

What neither check can see is a peer that vanished without closing the connection
(host down, network cut): ``SELECT 1`` would wait for TCP to give up as the request's
first query now does; the connection timeout and TCP keepalives bound both the same way.
"""

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        if self.connection is None:
            return False
        if self.connection.closed or self.connection.pgconn.status != pq.ConnStatus.OK:
            return False
        if self.connection.info.transaction_status != pq.TransactionStatus.IDLE:
            return super().is_usable()
        try:
            readable, _, _ = select.select([self.connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return super().is_usable()
        return super().is_usable() if readable else True
