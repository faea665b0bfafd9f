"""The privacy notice as versioned data: one TOML file per version in ``privacy_notice/`` (version id,
effective date, a title and short sections in zh_Hans and en). The current notice is the latest version whose
effective date (a Beijing day) has come; before the first one takes effect, the first one."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from carbon_credit.platform import clock

NOTICE_DIR = Path(__file__).parent / "privacy_notice"


@dataclass(frozen=True)
class NoticeText:
    """A notice in one language: its title and (heading, body) sections."""

    title: str
    sections: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Notice:
    """One version of the privacy notice."""

    version: str
    effective: date
    texts: dict[str, NoticeText]

    def text(self, locale: str) -> NoticeText:
        """The notice in ``locale`` (``en``), else in Simplified Chinese."""
        return self.texts["en" if locale == "en" else "zh"]


def notice_versions(directory: Path | None = None) -> tuple[Notice, ...]:
    """Every version, oldest first (read once per directory)."""
    return _load(directory or NOTICE_DIR)


@lru_cache(maxsize=8)
def _load(directory: Path) -> tuple[Notice, ...]:
    found = [_parse(tomllib.loads(path.read_text(encoding="utf-8"))) for path in directory.glob("*.toml")]
    if not found:
        raise RuntimeError(f"no privacy notice in {directory}")
    if len({n.version for n in found}) != len(found):
        raise RuntimeError(f"two privacy notices share a version in {directory}")
    return tuple(sorted(found, key=lambda n: (n.effective, n.version)))


def _parse(data: dict) -> Notice:
    texts = {
        lang: NoticeText(data[lang]["title"], tuple((h, b) for h, b in data[lang]["sections"]))
        for lang in ("zh", "en")
    }
    return Notice(version=str(data["version"]), effective=data["effective"], texts=texts)


def current_notice(*, now: datetime | None = None, directory: Path | None = None) -> Notice:
    """The notice in force on today's Beijing day."""
    every = notice_versions(directory)
    today = clock.local_day(now or clock.now())
    in_force = [n for n in every if n.effective <= today]
    return in_force[-1] if in_force else every[0]
