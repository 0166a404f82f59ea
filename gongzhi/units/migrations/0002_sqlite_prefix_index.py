"""On SQLite, index unit paths with NOCASE so that `path LIKE 'prefix%'` uses the index.

PostgreSQL gets its pattern index (varchar_pattern_ops) from Django automatically for the unique path.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("CREATE INDEX IF NOT EXISTS units_unit_path_nocase ON units_unit (path COLLATE NOCASE)")
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS units_org_path_nocase ON units_organization (path COLLATE NOCASE)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP INDEX IF EXISTS units_unit_path_nocase")
        schema_editor.execute("DROP INDEX IF EXISTS units_org_path_nocase")


class Migration(migrations.Migration):
    dependencies = [("units", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
