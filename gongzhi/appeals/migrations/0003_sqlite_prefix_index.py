"""On SQLite, index copied unit paths with NOCASE so that `unit_path LIKE 'prefix%'` uses an index.

PostgreSQL gets its pattern index (varchar_pattern_ops) from Django for the indexed unit_path.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS appeals_appeal_unit_path_nocase ON appeals_appeal (unit_path COLLATE NOCASE)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP INDEX IF EXISTS appeals_appeal_unit_path_nocase")


class Migration(migrations.Migration):
    dependencies = [("appeals", "0002_default_taxonomy")]

    operations = [migrations.RunPython(forwards, backwards)]
