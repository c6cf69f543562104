"""PostgreSQL-only search indexes: full-text over the phonetic name keys, trigrams on addresses.

SQLite has neither; its searches fall back to LIKE over the same columns (selectors.py).
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS person_search_keys_fts ON people_person "
    "USING gin (to_tsvector('simple', search_keys))",
    "CREATE INDEX IF NOT EXISTS address_match_key_trgm ON people_address "
    "USING gin (match_key gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS person_full_name_trgm ON people_person "
    "USING gin ((given_names || ' ' || family_name) gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS person_full_name_trgm",
    "DROP INDEX IF EXISTS address_match_key_trgm",
    "DROP INDEX IF EXISTS person_search_keys_fts",
]


def _run(statements: list[str]):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
