"""Chinese PDFs (notices, minutes, resolutions, certificates) with the font embedded.

The font is Noto Sans CJK SC (SIL Open Font License), taken from the `mplfonts` package that
`make run` installs, or from GONGZHI_PDF_FONT. fpdf2 embeds only the glyphs used (subsetting), so a
one-page certificate stays small and renders the same on any machine, with or without Chinese fonts.
"""

from __future__ import annotations

import importlib.util
import io
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from fpdf import FPDF

FONT_NAME = "cjk"
_CANDIDATES = (
    "fonts/NotoSansCJKsc-Regular.otf",
    "fonts/SourceHanSansSC-Regular.otf",
)
_SYSTEM = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)


@lru_cache(maxsize=1)
def font_path() -> str:
    """Return the path of a font with Chinese glyphs, or raise with instructions."""
    if settings.GONGZHI_PDF_FONT:
        path = Path(settings.GONGZHI_PDF_FONT)
        if not path.is_file():
            raise ImproperlyConfigured(f"GONGZHI_PDF_FONT points to a missing file: {path}")
        return str(path)
    spec = importlib.util.find_spec("mplfonts")
    if spec is not None and spec.submodule_search_locations:
        base = Path(next(iter(spec.submodule_search_locations)))
        for candidate in _CANDIDATES:
            if (base / candidate).is_file():
                return str(base / candidate)
    for candidate in _SYSTEM:
        if Path(candidate).is_file():
            return candidate
    raise ImproperlyConfigured(
        "No Chinese font for PDFs: run `pip install --no-deps mplfonts` (make run does) or set GONGZHI_PDF_FONT"
    )


class ChineseDocument(FPDF):
    """An A4 portrait document with the CJK font loaded and a few layout helpers."""

    def __init__(self, *, title: str = "", footer: str = "") -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.add_font(FONT_NAME, "", font_path())
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(20, 18, 20)
        self.footer_text = footer
        if title:
            self.set_title(title)
        self.set_creator("Gongzhi")
        self.add_page()
        self.set_font(FONT_NAME, size=11)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FONT_NAME, size=8)
        text = f"{self.footer_text}  ·  {self.page_no()}/{{nb}}" if self.footer_text else f"{self.page_no()}/{{nb}}"
        self.cell(0, 6, text, align="C")

    def heading(self, text: str, size: int = 18) -> None:
        self.set_font(FONT_NAME, size=size)
        self.multi_cell(0, size * 0.55, text, align="C", new_x="LMARGIN", new_y="NEXT")
        self.ln(3)
        self.set_font(FONT_NAME, size=11)

    def subheading(self, text: str) -> None:
        self.ln(2)
        self.set_font(FONT_NAME, size=13)
        self.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT_NAME, size=11)

    def paragraph(self, text: str, size: int = 11) -> None:
        self.set_font(FONT_NAME, size=size)
        self.multi_cell(0, size * 0.6, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(1.5)

    def fields(self, rows: Iterable[tuple[str, str]], label_width: float = 38) -> None:
        """Print label/value rows (a key-value table without borders)."""
        for label, value in rows:
            y = self.get_y()
            self.set_font(FONT_NAME, size=11)
            self.multi_cell(label_width, 7, f"{label}：", new_x="RIGHT", new_y="TOP")
            self.set_xy(self.l_margin + label_width, y)
            self.multi_cell(0, 7, str(value), new_x="LMARGIN", new_y="NEXT")

    def table(self, headers: list[str], rows: Iterable[list[str]], widths: list[float] | None = None) -> None:
        from fpdf.fonts import FontFace

        heading_style = FontFace(emphasis="", fill_color=(230, 236, 245))
        with super().table(col_widths=widths, text_align="LEFT", line_height=7, headings_style=heading_style) as grid:
            header = grid.row()
            for text in headers:
                header.cell(str(text))
            for values in rows:
                row = grid.row()
                for value in values:
                    row.cell(str(value))

    def qr_code(self, data: str, *, x: float | None = None, y: float | None = None, size: float = 32) -> None:
        """Draw a QR code (segno) for the data, e.g. a certificate's verification address."""
        import segno

        buffer = io.BytesIO()
        segno.make(data, error="m").save(buffer, kind="png", scale=8, border=2)
        buffer.seek(0)
        self.image(
            buffer,
            x=x if x is not None else self.w - self.r_margin - size,
            y=y if y is not None else self.get_y(),
            w=size,
            h=size,
        )

    def to_bytes(self) -> bytes:
        self.alias_nb_pages()
        return bytes(self.output())


def pdf_response(document: ChineseDocument, filename: str, *, inline: bool = True):
    from urllib.parse import quote

    from django.http import HttpResponse

    response = HttpResponse(document.to_bytes(), content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    return response
