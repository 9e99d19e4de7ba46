"""Sessions in the database, as Django's own store keeps them, read with one plain statement.

Every signed-in page starts by reading its session. Through the ORM, building and
compiling that one primary-key lookup costs about four times its round trip to the
database (`benchmarks.pages`); the row, the expiry check and the table are the same.
"""

from functools import cache

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        connection = connections[router.db_for_read(self.model)]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(_select(connection.alias), [self.session_key, now])
            row = cursor.fetchone()
        if row is None:  # unknown or expired: forget the key, as Django's store does
            self._session_key = None
            return None
        return self.model(session_key=self.session_key, session_data=row[0])


@cache
def _select(alias: str) -> str:
    quote = connections[alias].ops.quote_name
    meta = Session._meta
    data, key, expire = (
        quote(meta.get_field(name).column)
        for name in ("session_data", "session_key", "expire_date")
    )
    return f"SELECT {data} FROM {quote(meta.db_table)} WHERE {key} = %s AND {expire} > %s"
