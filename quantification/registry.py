"""The methodology registry: every ``*.toml`` data file of a directory, keyed by (id, version).

A new version of a methodology is a new data file with the same ``id`` and a higher ``version``; ``get(id)``
returns the latest. Versions are ordered naturally ("1.10" > "1.9", "V02" > "V01", "2024" > "2010").
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from .errors import MethodologyDataError, QuantificationError
from .schema import parse_methodology
from .types import Methodology


def version_key(version: str) -> tuple[tuple[int, int, str], ...]:
    """Natural sort key of a version string: digit runs compare as numbers."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.findall(r"[0-9]+|[^0-9]+", version)
    )


class Registry:
    """Methodologies keyed by (id, version); duplicates are refused when it is built."""

    def __init__(self, entries: Iterable[tuple[str, Methodology]] = ()) -> None:
        """Build from (origin, methodology) pairs; ``origin`` (a file name) appears in duplicate errors."""
        self._by_key: dict[tuple[str, str], Methodology] = {}
        origins: dict[tuple[str, str], str] = {}
        for origin, methodology in entries:
            key = (methodology.id, methodology.version)
            if key in self._by_key:
                raise MethodologyDataError(
                    f"{origin}: duplicate methodology {key[0]!r} version {key[1]!r} "
                    f"(already defined in {origins[key]})"
                )
            self._by_key[key] = methodology
            origins[key] = origin
        ids = {mid for mid, _ in self._by_key}
        self._versions = {
            mid: tuple(sorted((v for i, v in self._by_key if i == mid), key=version_key)) for mid in ids
        }

    def get(self, methodology_id: str, version: str | None = None) -> Methodology:
        """The given version of a methodology, or its latest version when ``version`` is None."""
        versions = self._versions.get(methodology_id)
        if versions is None:
            raise QuantificationError("unknown_methodology", name="methodology_id", value=methodology_id)
        if version is None:
            version = versions[-1]
        elif not isinstance(version, str) or (methodology_id, version) not in self._by_key:
            raise QuantificationError(
                "unknown_version",
                name="methodology_version",
                value=str(version),
                methodology_id=methodology_id,
                available=", ".join(versions),
            )
        return self._by_key[(methodology_id, version)]

    def versions(self, methodology_id: str) -> tuple[str, ...]:
        """Every version of a methodology, oldest first (empty if the id is unknown)."""
        return self._versions.get(methodology_id, ())

    def all(self) -> list[Methodology]:
        """Every methodology and version, sorted by id then version."""
        return [self._by_key[key] for key in sorted(self._by_key, key=lambda k: (k[0], version_key(k[1])))]

    def __len__(self) -> int:
        return len(self._by_key)


def load_directory(directory: str | os.PathLike[str] | Traversable) -> Registry:
    """Load and validate every ``*.toml`` file in ``directory``; any problem raises MethodologyDataError."""
    folder = directory if isinstance(directory, Traversable) else Path(directory)
    if not folder.is_dir():
        raise MethodologyDataError(f"{directory}: not a directory")
    files = sorted(
        (entry for entry in folder.iterdir() if entry.name.endswith(".toml")), key=lambda e: e.name
    )
    return Registry((entry.name, _load_file(entry)) for entry in files)


def _load_file(entry: Traversable) -> Methodology:
    try:
        data = tomllib.loads(entry.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise MethodologyDataError(f"{entry.name}: invalid TOML: {error}") from None
    return parse_methodology(data, entry.name)


@cache
def default_registry() -> Registry:
    """The registry of the data files shipped in ``quantification/methodologies/`` (loaded once)."""
    return load_directory(resources.files(__package__) / "methodologies")


def get(methodology_id: str, version: str | None = None) -> Methodology:
    """A shipped methodology: the given version, or the latest one."""
    return default_registry().get(methodology_id, version)
