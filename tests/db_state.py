"""A snapshot of every row the application keeps, to prove that a refused request wrote nothing."""

from __future__ import annotations

from django.db import connection

# Sessions change with every sign-in; they are not application data.
IGNORED = {"django_session"}


def database_state() -> dict[str, list[tuple]]:
    state: dict[str, list[tuple]] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            if table in IGNORED:
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - names from the schema
            state[table] = sorted(tuple(str(v) for v in row) for row in cursor.fetchall())
    return state


def changed_tables(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> list[str]:
    return [table for table in sorted(set(before) | set(after)) if before.get(table) != after.get(table)]
