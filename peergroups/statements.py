"""The few reads every page makes, as fixed SQL statements read into model instances.

Each signed-in page loads its viewer with their roles (`organizations.viewer`), and each
group page its group (`groups.selectors.group_for_user`). Through the ORM, building and
compiling those queries costs several times the database's answer (`benchmarks.pages`).
Their statements are written once, over the models' own columns (a field added to a model
is read without touching them), and each call reads the row into instances as the ORM
does: `from_db`, through the converters of the calling thread's connection (SQLite's
dates, booleans and JSON arrive as text or numbers).

Everything else goes through the ORM: a statement here earns its place on every request.
"""

from collections.abc import Sequence

from django.db import connections
from django.db.models import Model
from django.db.models.sql import Query


class Columns:
    """A model's concrete columns, under a table alias of a statement."""

    def __init__(self, model: type[Model], alias: str):
        self.model = model
        self.alias = alias
        self.fields = model._meta.concrete_fields
        self.attnames = [field.attname for field in self.fields]

    def __len__(self) -> int:
        return len(self.fields)

    def table(self, connection) -> str:
        return f"{connection.ops.quote_name(self.model._meta.db_table)} {self.alias}"

    def select(self, connection) -> str:
        quote = connection.ops.quote_name
        return ", ".join(f"{self.alias}.{quote(field.column)}" for field in self.fields)

    def column(self, connection, name: str) -> str:
        return f"{self.alias}.{connection.ops.quote_name(self.model._meta.get_field(name).column)}"

    def instance(self, db: str, values: Sequence) -> Model:
        return self.model.from_db(db, self.attnames, values)


def rows(sql: str, params: Sequence, *, alias: str, fields: Sequence) -> list[tuple]:
    """Run `sql` on the database `alias` and return its rows, each value through the ORM's
    converters for the field selected in its place."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    compiler = connection.ops.compiler("SQLCompiler")(Query(None), connection, alias)
    converters = compiler.get_converters(
        [field.get_col(field.model._meta.db_table) for field in fields]
    )
    if not converters or not fetched:
        return fetched
    return [tuple(row) for row in compiler.apply_converters(fetched, converters)]


def in_id_range(alias: str, *values: int) -> bool:
    """Whether each value fits a primary key column: a number past it finds nothing (as the
    ORM's lookup does) instead of failing in the driver."""
    low, high = connections[alias].ops.integer_field_range("BigAutoField")
    return all(low <= value <= high for value in values)
