"""GeoReport v2 output in XML and JSON, exactly as the specification lays them out.

XML: ``text/xml; charset=utf-8``, starts with the XML declaration, no namespaces and no attributes.
JSON: the XML with its root dropped; every repeated child list is an array (even of one or zero).
Absent values are empty elements in XML and null in JSON. Booleans are ``true``/``false`` in both.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.http import HttpResponse
from django.utils import timezone

XML_TYPE = "text/xml; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"

# Container element → the name of each repeated child.
LIST_ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def iso(value: dt.datetime | None, tz: dt.tzinfo | None = None) -> str | None:
    """Return an ISO 8601 timestamp with its offset (local time zone, or tz when given), or None."""
    if value is None:
        return None
    return value.astimezone(tz or timezone.get_current_timezone()).isoformat(timespec="seconds")


def _with_times(value: Any, tz: dt.tzinfo) -> Any:
    """Turn every datetime in a response into its ISO 8601 text, looking the time zone up once."""
    if isinstance(value, list):
        return [_with_times(v, tz) for v in value]
    if isinstance(value, dict):
        return {k: (iso(v, tz) if isinstance(v, dt.datetime) else _with_times(v, tz)) for k, v in value.items()}
    return value


def _scalar_xml(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return iso(value) or ""
    return escape(str(value))


def _xml(name: str, value: Any, out: list[str]) -> None:
    if isinstance(value, list):
        child = LIST_ITEMS.get(name)
        if child is None:
            raise ValueError(f"no item name for list {name!r}")
        out.append(f"<{name}>")
        for item in value:
            _xml(child, item, out)
        out.append(f"</{name}>")
    elif isinstance(value, dict):
        out.append(f"<{name}>")
        for key, item in value.items():
            _xml(key, item, out)
        out.append(f"</{name}>")
    else:
        text = _scalar_xml(value)
        out.append(f"<{name}>{text}</{name}>" if text else f"<{name}></{name}>")


def to_xml(root: str, value: Any) -> str:
    out = ['<?xml version="1.0" encoding="utf-8"?>']
    _xml(root, _with_times(value, timezone.get_current_timezone()), out)
    return "".join(out)


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return iso(value)
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"cannot serialize {type(value)!r}")


def render(fmt: str, root: str, value: Any, *, status: int = 200) -> HttpResponse:
    """Return value as XML (with root) or JSON (root dropped)."""
    if fmt == "xml":
        return HttpResponse(to_xml(root, value).encode("utf-8"), content_type=XML_TYPE, status=status)
    body = json.dumps(_with_times(value, timezone.get_current_timezone()), ensure_ascii=False, default=_json_default)
    return HttpResponse(body.encode("utf-8"), content_type=JSON_TYPE, status=status)


def errors(fmt: str, status: int, *items: tuple[int | str, str]) -> HttpResponse:
    """Return GeoReport errors: [{code, description}] in the requested format with the HTTP status."""
    return render(
        fmt, "errors", [{"code": code, "description": description} for code, description in items], status=status
    )
