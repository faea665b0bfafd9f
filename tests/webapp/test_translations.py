"""Every string a page shows has a Simplified Chinese translation, and the catalogues agree."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from webapp.i18n import CATALOGUE_DIR, compile_catalogues

ROOT = Path(__file__).resolve().parents[2]
METHODS = [("**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "_l": None, "ngettext": (1, 2)}


def _translated() -> set[str]:
    ids: set[str] = set()
    for path in CATALOGUE_DIR.glob("*.po"):
        with path.open("rb") as handle:
            ids |= {e.id for e in read_po(handle) if e.id and e.string and not e.fuzzy}
    return ids


def test_every_msgid_in_the_web_app_has_a_chinese_translation():
    found = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        ROOT / "webapp", METHODS, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        found.setdefault(msgid, filename)
    missing = {m: f for m, f in found.items() if m not in _translated()}
    assert missing == {}, f"untranslated: {missing}"


def test_catalogues_merge_without_conflicts(tmp_path):
    for path in CATALOGUE_DIR.glob("*.po"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    assert compile_catalogues(tmp_path).stat().st_size > 0
