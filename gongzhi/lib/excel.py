"""Excel export and import helpers built on openpyxl (write-only for big lists)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_IMPORT_BYTES = 20 * 1024 * 1024
# Characters that make a spreadsheet treat a cell as a formula (or start one after a tab or line break).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def _cell_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if value is None:
        return ""
    if isinstance(value, Promise):  # a lazy translation (a choice label)
        value = str(value)
    if isinstance(value, str) and value[:1] in _FORMULA_STARTS:
        # Neutralize formula injection from user-supplied text (OWASP: prefix a quote).
        return "'" + value
    return value


def workbook_bytes(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """Return an .xlsx file with one sheet, a bold header row and the given rows."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=str(header))
        cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_cell_value(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    """Return an attachment response with the workbook."""
    response = HttpResponse(workbook_bytes(title, headers, rows), content_type=XLSX)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'{filename}-{stamp}.xlsx')}"
    return response


def read_rows(data: bytes) -> tuple[list[str], list[list[Any]]]:
    """Return the header row and the data rows of the first sheet (empty rows dropped)."""
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheet = book.worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    book.close()
    rows = [r for r in rows if any(v not in (None, "") for v in r)]
    if not rows:
        return [], []
    headers = [str(h).strip() if h is not None else "" for h in rows[0]]
    return headers, rows[1:]
