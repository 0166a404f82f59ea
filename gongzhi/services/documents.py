"""Printable documents: the certificate PDF (Chinese, with serial number, verification code and QR)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from gongzhi.lib.pdf import ChineseDocument
from gongzhi.services.models import Certificate


def verify_url(cert: Certificate) -> str:
    return settings.GONGZHI_BASE_URL + reverse("services:verify_code", args=[cert.code])


def certificate_pdf(cert: Certificate) -> ChineseDocument:
    """Render a certificate; the same certificate always renders the same text."""
    doc = ChineseDocument(title=f"{cert.type.name} {cert.serial}", footer=f"{cert.unit.name} · {cert.serial}")
    doc.set_font_size(10)
    doc.cell(0, 6, f"编号：{cert.serial}", align="R", new_x="LMARGIN", new_y="NEXT")
    doc.ln(4)
    doc.heading(cert.type.name, size=22)
    doc.ln(4)
    doc.paragraph(f"兹证明 {cert.holder_name}：", size=13)
    doc.paragraph(cert.content, size=13)
    doc.paragraph(f"特此证明。本证明用于：{cert.purpose}。", size=13)
    doc.ln(6)
    doc.fields(
        [
            ("出具单位", cert.unit.full_name()),
            ("出具依据", cert.type.legal_basis),
            ("核实依据", cert.evidence),
            ("出具日期", timezone.localtime(cert.issued_at).strftime("%Y年%m月%d日")),
            ("有效期至", cert.valid_until.strftime("%Y年%m月%d日")),
        ]
    )
    doc.ln(6)
    y = doc.get_y()
    doc.qr_code(verify_url(cert), y=y, size=34)
    doc.set_xy(doc.l_margin, y)
    doc.set_font_size(10)
    doc.multi_cell(
        120,
        6,
        "真伪核验：扫描右侧二维码，或访问\n"
        f"{settings.GONGZHI_BASE_URL}{reverse('services:verify')}\n"
        f"输入核验码 {cert.code_display}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return doc
