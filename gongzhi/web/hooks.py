"""How apps add themselves to the layout: menu entries and panels on each role's desk.

An app declares, in ``<app>/hooks.py``::

    NAV = [NavItem(key="appeals", label=_("诉求"), url_name="appeals:list", perm="appeals.view", order=20)]
    DESK = [DeskPanel(key="appeals-queue", roles={Role.DISPATCHER}, template="appeals/desk_queue.html",
                      context=queue_context, order=10)]

A menu entry shows when the user holds its permission anywhere (``access.has_any``), or always
for entries with ``public=True``. A desk panel shows on the desk when the user holds one of its roles;
its ``context(request)`` returns the template's context (through the app's queries, never raw ORM).

Apps may also add panels to another app's pages without that app knowing them (``PANELS``)::

    PANELS = [Panel(slot="appeals.detail", key="topics", template="deliberation/appeal_topics.html",
                    context=topics_of_appeal)]

The page asks ``panels(slot, request, obj)``; ``context(request, obj)`` returns the panel's context, or
None to leave the panel out (no permission, nothing to show). Keep each panel to a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from django.apps import apps
from django.http import HttpRequest
from django.utils.functional import Promise


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str | Promise
    url_name: str
    perm: str | None = None
    public: bool = False
    order: int = 50
    section: str = "main"  # "main" (top menu) or "admin" (administration menu)


@dataclass(frozen=True)
class DeskPanel:
    key: str
    roles: frozenset[str] | set[str]
    template: str
    context: Callable[[HttpRequest], dict[str, Any]] | None = None
    order: int = 50
    title: str | Promise = ""
    width: str = "col-lg-6"
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PublicLink:
    """A card on the public home page (submit an appeal, verify a certificate...)."""

    key: str
    title: str | Promise
    text: str | Promise
    url_name: str
    order: int = 50


@dataclass(frozen=True)
class Panel:
    """A panel another app adds to a page of this one (``slot`` names the page, e.g. "appeals.detail")."""

    slot: str
    key: str
    template: str
    context: Callable[[HttpRequest, Any], dict[str, Any] | None]
    order: int = 50


@dataclass(frozen=True)
class RenderedPanel:
    key: str
    template: str
    context: dict[str, Any]


_nav: list[NavItem] | None = None
_desk: list[DeskPanel] | None = None
_public: list[PublicLink] | None = None
_panels: list[Panel] | None = None


def _load() -> None:
    global _nav, _desk, _public, _panels
    nav: list[NavItem] = []
    desk: list[DeskPanel] = []
    public: list[PublicLink] = []
    panels: list[Panel] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("gongzhi."):
            continue
        try:
            module = import_module(f"{config.name}.hooks")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.hooks":
                raise
            continue
        nav.extend(getattr(module, "NAV", []))
        desk.extend(getattr(module, "DESK", []))
        public.extend(getattr(module, "PUBLIC_LINKS", []))
        panels.extend(getattr(module, "PANELS", []))
    _nav = sorted(nav, key=lambda item: (item.order, item.key))
    _desk = sorted(desk, key=lambda panel: (panel.order, panel.key))
    _public = sorted(public, key=lambda link: (link.order, link.key))
    _panels = sorted(panels, key=lambda panel: (panel.order, panel.key))


def nav_items() -> list[NavItem]:
    if _nav is None:
        _load()
    return list(_nav or [])


def desk_panels() -> list[DeskPanel]:
    if _desk is None:
        _load()
    return list(_desk or [])


def public_links() -> list[PublicLink]:
    if _public is None:
        _load()
    return list(_public or [])


def panels(slot: str, request: HttpRequest, obj: Any = None) -> list[RenderedPanel]:
    """Return the panels other apps add to the page ``slot`` for this object, with their contexts."""
    if _panels is None:
        _load()
    shown = []
    for panel in _panels or []:
        if panel.slot != slot:
            continue
        context = panel.context(request, obj)
        if context is not None:
            shown.append(RenderedPanel(panel.key, panel.template, context))
    return shown
