"""Shared API schema pieces: strict inputs (unknown fields refused) and the error and page shapes."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import ConfigDict


class Input(Schema):
    """Base of every API input: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, list[str]]


class ErrorOut(Schema):
    error: ErrorBody


class PageMeta(Schema):
    next_cursor: str | None
    limit: int


def page_out(page: Any, items: list[Any]) -> dict[str, Any]:
    return {"items": items, "next_cursor": page.next_cursor, "limit": page.limit}


# Responses every authenticated endpoint may give, for the OpenAPI document.
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
