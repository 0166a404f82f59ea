"""Nothing is fetched from a CDN at run time: government intranets are often offline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

GONGZHI = Path(settings.BASE_DIR) / "gongzhi"
REMOTE = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)
CSS_REMOTE = re.compile(r"""(?:@import|url\()\s*["']?(?:https?:)?//""", re.IGNORECASE)


def _front_end_files() -> list[Path]:
    return [
        path
        for pattern in ("**/templates/**/*.html", "**/static/**/*.js", "**/static/**/*.css")
        for path in GONGZHI.glob(pattern)
    ]


def test_there_are_templates_and_static_files_to_check():
    names = {p.name for p in _front_end_files()}
    assert {"base.html", "app.js", "app.css"} <= names


@pytest.mark.parametrize("path", _front_end_files(), ids=lambda p: str(p.relative_to(GONGZHI)))
def test_no_template_or_static_file_loads_anything_from_another_host(path):
    text = path.read_text(encoding="utf-8")
    assert not REMOTE.search(text), f"{path} loads a script, style or image from another host"
    assert not CSS_REMOTE.search(text), f"{path} imports from another host"


def test_the_api_docs_page_uses_the_local_swagger_files(db):
    html = Client().get("/api/v1/docs").content.decode()
    assets = re.findall(r"""(?:src|href)="([^"]+)\"""", html)
    assert any("swagger-ui-bundle" in a for a in assets), assets
    assert all(a.startswith("/") and not a.startswith("//") for a in assets), assets


def test_the_base_layout_loads_bootstrap_and_htmx_from_static(db):
    html = Client().get("/accounts/login/").content.decode()
    assert re.search(r'href="/static/vendor/bootstrap/css/bootstrap\.min[.\w]*\.css"', html)
    assert re.search(r'src="/static/vendor/htmx/htmx\.min[.\w]*\.js"', html)
