"""English is complete for deliberation, and pages and API errors read in English for English users."""

from __future__ import annotations

import json
from pathlib import Path

from django.test import Client

PO = Path(__file__).resolve().parents[2] / "gongzhi" / "deliberation" / "locale" / "en" / "LC_MESSAGES" / "django.po"


def _entries() -> list[tuple[str, str]]:
    entries, key, current = [], None, {"msgid": [], "msgstr": []}
    for line in [*PO.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("msgid "):
            if current["msgid"]:
                entries.append(current)
            current, key = {"msgid": [line[6:]], "msgstr": []}, "msgid"
        elif line.startswith("msgstr "):
            key = "msgstr"
            current["msgstr"].append(line[7:])
        elif line.startswith('"') and key:
            current[key].append(line)
    entries.append(current)
    return [("".join(json.loads(x) for x in e["msgid"]), "".join(json.loads(x) for x in e["msgstr"])) for e in entries]


def test_every_string_has_an_english_translation():
    missing = [source for source, english in _entries() if source and not english]
    assert not missing, missing[:10]
    assert PO.with_suffix(".mo").exists()


def test_the_topic_page_reads_in_english(scene, world):
    client = Client()
    client.cookies["django_language"] = "en"
    page = client.get(f"/deliberation/topics/{scene['published']}/").content.decode()
    assert "Accepted, awaiting consultation" in page and "The “246” deliberation process" in page


def test_an_api_error_reads_in_english(scene, world, api):
    user = world.users["resident"]
    user.language = "en"
    user.save(update_fields=["language"])
    client = api(user)
    client.cookies["django_language"] = "en"
    response = client.post(f"/deliberation/topics/{scene['collecting']}/cosign")
    assert response.status_code == 409
    assert response.json()["error"]["message"] == "You cannot co-sign your own proposal."
