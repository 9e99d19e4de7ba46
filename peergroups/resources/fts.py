"""The search index's database objects, created by migrations (one kind per database).

SQLite: an FTS5 table over the resource's text columns with triggers that keep it in
sync. Django remakes a SQLite table to alter it (new table, copy, drop, rename), which
drops its triggers: a later migration that alters `resources_resource` must call
`sqlite_install` again (test_search_index.py fails if it does not).

PostgreSQL: a stored generated tsvector column with a GIN index.
"""

COLUMNS = ("title", "summary", "topics_text", "file_text")
_cols = ", ".join(COLUMNS)
_new = ", ".join(f"new.{c}" for c in COLUMNS)
_old = ", ".join(f"old.{c}" for c in COLUMNS)

SQLITE_INSTALL = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS resources_resource_fts USING fts5("
    f"{_cols}, content='resources_resource', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2', prefix='2 3')",
    "DROP TRIGGER IF EXISTS resources_resource_fts_insert",
    "DROP TRIGGER IF EXISTS resources_resource_fts_delete",
    "DROP TRIGGER IF EXISTS resources_resource_fts_update",
    "CREATE TRIGGER resources_resource_fts_insert AFTER INSERT ON resources_resource BEGIN "
    f"INSERT INTO resources_resource_fts(rowid, {_cols}) VALUES (new.id, {_new}); END",
    "CREATE TRIGGER resources_resource_fts_delete AFTER DELETE ON resources_resource BEGIN "
    f"INSERT INTO resources_resource_fts(resources_resource_fts, rowid, {_cols}) "
    f"VALUES ('delete', old.id, {_old}); END",
    f"CREATE TRIGGER resources_resource_fts_update AFTER UPDATE OF {_cols} "
    "ON resources_resource BEGIN "
    f"INSERT INTO resources_resource_fts(resources_resource_fts, rowid, {_cols}) "
    f"VALUES ('delete', old.id, {_old}); "
    f"INSERT INTO resources_resource_fts(rowid, {_cols}) VALUES (new.id, {_new}); END",
    # Index what is already there (a no-op on a new database).
    "INSERT INTO resources_resource_fts(resources_resource_fts) VALUES ('rebuild')",
]
SQLITE_UNINSTALL = [
    "DROP TRIGGER IF EXISTS resources_resource_fts_insert",
    "DROP TRIGGER IF EXISTS resources_resource_fts_delete",
    "DROP TRIGGER IF EXISTS resources_resource_fts_update",
    "DROP TABLE IF EXISTS resources_resource_fts",
]

POSTGRES_INSTALL = [
    "ALTER TABLE resources_resource ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(topics_text, '')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(file_text, '')), 'C')"
    ") STORED",
    "CREATE INDEX resource_search_gin ON resources_resource USING gin (search_vector)",
]
POSTGRES_UNINSTALL = [
    "DROP INDEX IF EXISTS resource_search_gin",
    "ALTER TABLE resources_resource DROP COLUMN IF EXISTS search_vector",
]


def install(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_INSTALL, "postgresql": POSTGRES_INSTALL}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def uninstall(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_UNINSTALL, "postgresql": POSTGRES_UNINSTALL}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement)
