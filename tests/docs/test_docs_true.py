"""The documentation stays true to the code.

Every `manage.py` command, `python -m bench` benchmark, `make` target, URL path, `GONGZHI_*` setting, periodic
task name and button or menu label (bold text) that docs/*.md and README.md mention must exist. A renamed
page, command or button then fails here instead of leaving the guides silently wrong.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import polib
import pytest
from django.core.management import get_commands
from django.urls import URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

ROOT = Path(__file__).resolve().parents[2]
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
GUIDES = sorted((ROOT / "docs").glob("*-guide.*.md"))


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _mentions(pattern: str, paths: list[Path] = DOCS) -> list[tuple[str, str]]:
    """Return (file name, match) for every match of the pattern's first group, each once per file."""
    found: dict[tuple[str, str], None] = {}
    for path in paths:
        for match in re.finditer(pattern, _text(path)):
            found[(path.name, match.group(1))] = None
    return list(found)


def _ids(items: list[tuple[str, str]]) -> list[str]:
    return [f"{name}:{value}" for name, value in items]


# --- commands, benchmarks, make targets --------------------------------------------------------------

COMMANDS = _mentions(r"manage\.py\s+([a-z][a-z0-9_]*)")


@pytest.mark.parametrize(("doc", "command"), COMMANDS, ids=_ids(COMMANDS))
def test_every_manage_py_command_mentioned_exists(doc, command):
    assert command in get_commands(), f"{doc} mentions `manage.py {command}`, which does not exist"


BENCHES = _mentions(r"python -m bench[ .]([a-z][a-z0-9_]*)")


@pytest.mark.parametrize(("doc", "bench"), BENCHES, ids=_ids(BENCHES))
def test_every_benchmark_mentioned_exists(doc, bench):
    if bench == "list":
        return
    assert (ROOT / "bench" / f"{bench}.py").is_file(), f"{doc} mentions benchmark {bench!r}, not in bench/"


def _make_targets() -> set[str]:
    return set(re.findall(r"^([a-z][a-z0-9-]*):", _text(ROOT / "Makefile"), flags=re.M))


MAKES = _mentions(r"(?<![\w-])make ([a-z][a-z0-9-]*)")


@pytest.mark.parametrize(("doc", "target"), MAKES, ids=_ids(MAKES))
def test_every_make_target_mentioned_exists(doc, target):
    assert target in _make_targets(), f"{doc} mentions `make {target}`, not a target of the Makefile"


def test_the_checks_find_what_they_look_for():
    # Guard against a pattern that silently stops matching: the guides do name these.
    assert ("operator-guide.en.md", "open311_key") in COMMANDS
    assert ("operator-guide.zh.md", "rollup") in COMMANDS
    assert ("README.md", "run") in MAKES
    assert any(bench == "appeals_bench" for _doc, bench in BENCHES)
    assert any(path == "/appeals/new/" for _doc, path in PATHS)
    assert any(path.startswith("/open311/v2/") for _doc, path in PATHS)
    assert any(label == "派单" for _doc, label in LABELS)


# --- URL paths ---------------------------------------------------------------------------------------

# A path in backticks (`/appeals/new/`) or an address of the local server (http://127.0.0.1:8000/desk/).
PATHS = _mentions(r"`(/[^`\s]*)`") + _mentions(r"http://127\.0\.0\.1:8000(/[^\s)`*，。、；]*)")

# Sample values for the placeholders the docs write in paths.
PLACEHOLDERS = {"fmt": "json", "number": "2026-000123", "code": "UC02", "token": "2026-000123", "key": "recent"}


def _concrete(path: str) -> str:
    path = path.split("?", 1)[0].split("#", 1)[0]
    path = path.rstrip(".,;:")

    def sample(match: re.Match[str]) -> str:
        return PLACEHOLDERS.get(match.group(1), "1")

    return re.sub(r"[<{]([a-z_]+)[>}]", sample, path)


def _routes(patterns=None, prefix: str = "/") -> list[str]:
    """Return every URL pattern as text, prefixes joined (`/appeals/<str:code>/edit/`, `^/open311/v2/...`)."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    routes = []
    for entry in patterns:
        text = str(entry.pattern).lstrip("^")
        if isinstance(entry, URLResolver):
            routes.extend(_routes(entry.url_patterns, prefix + text))
        else:
            routes.append(prefix + text)
    return routes


def _resolves(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


@pytest.mark.parametrize(("doc", "path"), PATHS, ids=_ids(PATHS))
def test_every_url_path_mentioned_exists(doc, path):
    if path.endswith(("...", "…")) or path in ("/api/v1", "/open311/v2/"):
        # A prefix (`/api/v1/services/...`): some route must start with it.
        stem = path.rstrip(".…")
        assert any(r.startswith(stem) for r in _routes()), f"{doc} mentions {path}; no route starts with it"
        return
    concrete = _concrete(path)
    if concrete == "/":
        return
    # The app references list API routes relative to /api/v1 (`/appeals/queue`, `/public/appeals`).
    candidates = [concrete, f"/api/v1{concrete}"]
    assert any(_resolves(c) for c in candidates), f"{doc} mentions {path}, which no URL pattern serves"


# --- settings and periodic tasks ------------------------------------------------------------------------


@cache
def _source() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "gongzhi").rglob("*.py")))


VARIABLES = _mentions(r"\b(GONGZHI_[A-Z0-9_]+)\b")


@pytest.mark.parametrize(("doc", "name"), VARIABLES, ids=_ids(VARIABLES))
def test_every_setting_mentioned_is_read_by_the_code(doc, name):
    assert f'"{name}"' in _source(), f"{doc} mentions {name}, which the code never reads"


def _periodic_tasks() -> set[str]:
    schedule = _text(ROOT / "gongzhi" / "schedule.py")
    return set(re.findall(r"@db_periodic_task\([^\n]*\)\n(?:@[^\n]*\n)*def ([a-z_0-9]+)", schedule))


TASKS = _mentions(r"`([a-z]+_[a-z_]+)`（?\(?(?:every|每|daily|nightly|hourly|每天|每小时|每晚)", GUIDES)


def test_periodic_tasks_are_found():
    assert {"appeals_watch_deadlines", "deliberation_advance", "services_overdue_sweep"} <= _periodic_tasks()


@pytest.mark.parametrize(("doc", "task"), TASKS, ids=_ids(TASKS))
def test_every_periodic_task_named_in_the_guides_exists(doc, task):
    assert task in _periodic_tasks(), f"{doc} names periodic task {task!r}, not in gongzhi/schedule.py"


def test_the_operator_guides_name_every_periodic_task():
    for name in ("operator-guide.zh.md", "operator-guide.en.md"):
        text = _text(ROOT / "docs" / name)
        missing = sorted(t for t in _periodic_tasks() if f"`{t}`" not in text)
        assert not missing, f"{name} does not describe the periodic tasks {missing}"


def test_the_operator_guides_name_every_management_command():
    ours = sorted(p.stem for p in (ROOT / "gongzhi").glob("*/management/commands/*.py") if not p.stem.startswith("_"))
    for name in ("operator-guide.zh.md", "operator-guide.en.md"):
        text = _text(ROOT / "docs" / name)
        missing = [c for c in ours if f"manage.py {c}" not in text]
        assert not missing, f"{name} does not describe the commands {missing}"


# --- labels ----------------------------------------------------------------------------------------------


@cache
def _catalogue() -> tuple[set[str], set[str]]:
    """Return the Chinese source strings and their English translations of every app."""
    sources: set[str] = set()
    english: set[str] = set()
    for po in (ROOT / "gongzhi").rglob("locale/en/LC_MESSAGES/django.po"):
        for entry in polib.pofile(str(po)):
            sources.add(entry.msgid)
            if entry.msgstr:
                english.add(entry.msgstr)
            if entry.msgid_plural:
                sources.add(entry.msgid_plural)
                english.update(v for v in entry.msgstr_plural.values() if v)
    return sources, english


@cache
def _templates(strings: frozenset[str]) -> list[re.Pattern[str]]:
    """Return the strings with placeholders (`我要%(label)s`) as patterns, each placeholder matching some text."""
    placeholder = re.compile(r"%\([a-z_]+\)[sd]|\{\{ ?[a-z_.]+ ?\}\}")
    patterns = []
    for s in strings:
        pieces = placeholder.split(s)
        if len(pieces) > 1:
            patterns.append(re.compile(".+".join(re.escape(p) for p in pieces)))
    return patterns


def _known(label: str, strings: set[str]) -> bool:
    """A label is known when it is a source string, a piece of one, or one with its placeholders filled in."""
    if any(label in s for s in strings):
        return True
    return any(p.fullmatch(label) for p in _templates(frozenset(strings)))


# Bold text that is emphasis or a name, not a label on a page.
NOT_LABELS = {
    "精确",
    "exactly",
    "只显示一次",
    "once",
    "登录",
    "在某个单位及其下级范围内",
    "in a place and everything under it",
    "用户名或手机号码",
    "user name or your mobile number",
    "desk",
    "Prepare",
    "Nominations",
    "Voting",
    "Counting",
    "Publish",
    "Freeze the voter roll",
    "Written proxies",
    "run-off",
    "筹备",
    "提名",
    "投票",
    "计票",
    "公布",
    "书面委托",
    "另行选举",
    "确定选民名单",
    "Units (组织架构).",
    "Departments (部门)",
    "Organizations (组织)",
    "组织架构（单位）",
    "部门",
    "组织",
    "Privacy.",
    "隐私保护",
    "Edit",
    "Move",
    "Close",
    "Reopen",
    "New unit below",
    "+",
    "Tab",
    "Enter",
    "回车",
    "http://127.0.0.1:8000/",
    "http://127.0.0.1:8000/api/v1/docs",
    "Your desk",
    "`gongzhi-demo`",
}


# In the user guides bold text is a label on a page (the operator guides use it for headings).
USER_GUIDES = sorted((ROOT / "docs").glob("user-guide.*.md"))


def _bold(paths: list[Path]) -> list[tuple[str, str]]:
    """Return the bold phrases outside code spans (masked numbers such as `990***123X` hold asterisks)."""
    found: dict[tuple[str, str], None] = {}
    for path in paths:
        text = re.sub(r"`[^`\n]*`", "`code`", _text(path))
        for match in re.finditer(r"\*\*([^*\n]+?)\*\*", text):
            found[(path.name, match.group(1))] = None
    return list(found)


LABELS = [
    (doc, part.strip())
    for doc, bold in _bold(USER_GUIDES)
    for part in (bold.split(" / ", 1)[0],)
    if bold not in NOT_LABELS and part.strip() not in NOT_LABELS and re.search(r"[\u4e00-\u9fff]", part)
]


@pytest.mark.parametrize(("doc", "label"), LABELS, ids=_ids(LABELS))
def test_every_bold_chinese_label_is_a_string_of_the_code(doc, label):
    sources, _english = _catalogue()
    for piece in re.split(r"[、，]| 或 | or ", label):
        assert _known(piece.strip("（）() "), sources), f"{doc}: **{label}** is not a label on any page"


PAIRS = [
    (doc, bold)
    for doc, bold in _bold([ROOT / "docs" / "user-guide.en.md"])
    if " / " in bold and bold not in NOT_LABELS
]


@pytest.mark.parametrize(("doc", "pair"), PAIRS, ids=_ids(PAIRS))
def test_english_labels_in_the_english_guides_are_the_translations(doc, pair):
    _sources, english = _catalogue()
    label = pair.split(" / ", 1)[1].strip()
    assert _known(label, english), f"{doc}: **{pair}** — {label!r} is not the English text of any label"
