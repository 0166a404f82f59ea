"""Excel helpers: a real workbook, formula injection neutralized, rows read back."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from gongzhi.lib.excel import XLSX, read_rows, workbook_bytes, xlsx_response


def _sheet(data: bytes):
    return load_workbook(io.BytesIO(data)).worksheets[0]


@pytest.mark.parametrize(
    "dangerous",
    ["=1+1", '=HYPERLINK("http://evil","x")', "+SUM(A1)", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1", "\n=1"],
)
def test_text_that_would_be_a_formula_is_written_as_plain_text(dangerous):
    sheet = _sheet(workbook_bytes("名册", ["备注"], [[dangerous]]))
    cell = sheet.cell(row=2, column=1)
    assert cell.data_type == "s"
    assert cell.value == "'" + dangerous.replace("\r", "\n")  # XML stores a lone CR as a line feed
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


def test_ordinary_values_keep_their_types():
    moment = dt.datetime(2026, 10, 1, 8, 0, tzinfo=dt.UTC)
    sheet = _sheet(
        workbook_bytes(
            "名册",
            ["姓名", "数量", "金额", "日期", "时间", "空", "标签"],
            [["张三", 3, Decimal("12.50"), dt.date(2026, 10, 10), moment, None, gettext_lazy("男")]],
        )
    )
    values = [c.value for c in sheet[2]]
    assert values[0] == "张三"
    assert values[1] == 3
    assert Decimal(str(values[2])) == Decimal("12.50")
    assert values[3].date() == dt.date(2026, 10, 10)
    assert values[4] == dt.datetime(2026, 10, 1, 16, 0)  # shown in Asia/Shanghai time
    assert values[5] in (None, "")
    assert values[6] == "男"
    assert [c.font.b for c in sheet[1]] == [True] * 7


def test_a_long_title_is_cut_to_excels_limit():
    book = load_workbook(io.BytesIO(workbook_bytes("很长的标题" * 10, ["a"], [])))
    assert len(book.sheetnames[0]) == 31


def test_the_response_is_an_attachment_with_a_utf8_file_name():
    response = xlsx_response("居民名册", "居民名册", ["a"], [[1]])
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
    assert "%E5%B1%85%E6%B0%91" in response["Content-Disposition"]  # 居民, percent-encoded


def test_read_rows_returns_headers_and_drops_empty_rows():
    data = workbook_bytes("s", ["姓名", " 手机 "], [["张三", "13800001111"], [None, ""], ["李四", None]])
    headers, rows = read_rows(data)
    assert headers == ["姓名", "手机"]
    assert rows == [["张三", "13800001111"], ["李四", None]]


def test_read_rows_of_an_empty_sheet():
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    assert read_rows(buffer.getvalue()) == ([], [])
