"""INSERTs for hot write paths: a model's INSERT statement is built once per process, not once per row.

``Model.save()`` and ``bulk_create()`` compile a fresh INSERT through the query compiler every time; on
intake, where one appeal writes five rows, compiling cost more than the database took to run them.
``insert(objs)`` does what ``save(force_insert=True)`` does for plain fields — ``pre_save`` (``auto_now``,
``auto_now_add``), ``get_db_prep_save`` of every concrete field, one INSERT … RETURNING the primary key —
with the statement text cached per model, row count and database alias.

Like ``bulk_create`` it sends no model signals; the models written through it have no receivers (a test
keeps it so) and no ``save()`` of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from django.db import connections, models
from django.db.models.fields import AutoFieldMixin

MAX_ROWS = 100  # one statement's rows; SQLite's parameter limit stays far away at our column counts


@cache
def _fields(model: type[models.Model]) -> tuple[tuple[models.Field, ...], models.Field]:
    """Return (the fields an INSERT writes, the primary key) of a model; refuse what needs the compiler."""
    pk = model._meta.pk
    fields = []
    for field in model._meta.local_concrete_fields:
        if field is pk and isinstance(field, AutoFieldMixin):
            continue
        if getattr(field, "db_default", models.NOT_PROVIDED) is not models.NOT_PROVIDED or hasattr(
            field, "get_placeholder"
        ):
            raise TypeError(f"{model.__name__}.{field.name} needs the query compiler; use save() or bulk_create()")
        fields.append(field)
    return tuple(fields), pk


@cache
def _statement(model: type[models.Model], rows: int, using: str) -> str:
    fields, pk = _fields(model)
    q = connections[using].ops.quote_name
    columns = ", ".join(q(f.column) for f in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    values = ", ".join([row] * rows)
    # Quoted model table and column names; every value is a parameter.
    return f"INSERT INTO {q(model._meta.db_table)} ({columns}) VALUES {values} RETURNING {q(pk.column)}"  # noqa: S608


def insert(objs: Sequence[models.Model], *, using: str = "default") -> None:
    """Insert new instances of one model in one statement per 100 rows and set their primary keys."""
    if not objs:
        return
    model = type(objs[0])
    if any(type(obj) is not model for obj in objs):
        raise TypeError("insert() takes instances of one model")
    connection = connections[using]
    fields, pk = _fields(model)
    for start in range(0, len(objs), MAX_ROWS):
        chunk = objs[start : start + MAX_ROWS]
        params: list[object] = []
        for obj in chunk:
            for field in fields:
                params.append(field.get_db_prep_save(field.pre_save(obj, True), connection=connection))
        sql = _statement(model, len(chunk), using)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            ids = [row[0] for row in cursor.fetchall()]
        for obj, value in zip(chunk, ids, strict=True):
            setattr(obj, pk.attname, value)
            obj._state.adding = False
            obj._state.db = using


def statement(model: type[models.Model], *, using: str = "default") -> tuple[str, tuple[models.Field, ...]]:
    """Return the one-row INSERT … RETURNING pk of a model and its fields, for a caller that wraps it."""
    return _statement(model, 1, using), _fields(model)[0]


def params(obj: models.Model, *, using: str = "default") -> list[object]:
    """Return the parameters of ``statement()`` for one new instance (pre_save applied)."""
    connection = connections[using]
    return [f.get_db_prep_save(f.pre_save(obj, True), connection=connection) for f in _fields(type(obj))[0]]
