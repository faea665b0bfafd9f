"""Photo uploads: checked by their first bytes (never by the file name), stored under a random name.

Accepted: JPEG, PNG and WebP, non-empty and at most ``settings.max_upload_bytes``. The stored name is
``secrets.token_hex(16)`` plus the extension of the detected format, so a client never chooses a path.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.settings import Settings

STORED_NAME_BYTES = 16


def image_extension(data: bytes) -> str | None:
    """``.jpg``, ``.png`` or ``.webp`` from the magic number at the start of ``data``; None otherwise."""
    if data.startswith(b"\xff\xd8\xff"):
        return ".jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return ".png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    return None


def store_photo(*, settings: Settings, data: bytes, filename: str) -> str:
    """Validate and save a photo; returns the stored file name (under ``settings.upload_folder``).

    ``filename`` is the client's name, used only in the error message. DomainError ``invalid_photo`` for an
    empty or non-image file, ``photo_too_large`` (``limit_mb``) above the size limit.
    """
    if len(data) > settings.max_upload_bytes:
        raise DomainError("photo_too_large", limit_mb=_megabytes(settings.max_upload_bytes))
    extension = image_extension(data) if data else None
    if extension is None:
        raise DomainError("invalid_photo", filename=filename or "")
    folder = Path(settings.upload_folder)
    folder.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(STORED_NAME_BYTES) + extension
    with (folder / name).open("xb") as handle:  # "x": never overwrite an existing file
        handle.write(data)
    return name


def discard_photo(*, settings: Settings, name: str) -> None:
    """Remove a stored photo that ended up unused (its entry was refused or was a repeat)."""
    path = photo_path(settings=settings, name=name)
    path.unlink(missing_ok=True)


def stored_photos(*, settings: Settings, older_than: float) -> list[str]:
    """The names of the stored photos whose file was last written before ``older_than`` (a POSIX time)."""
    folder = Path(settings.upload_folder)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        try:
            photo_path(settings=settings, name=path.name)
        except DomainError:
            continue  # not a stored photo (the exports folder, a temporary file ...)
        if path.is_file() and path.stat().st_mtime < older_than:
            found.append(path.name)
    return found


def photo_path(*, settings: Settings, name: str) -> Path:
    """Where a stored photo lives; refuses names that are not plain stored names (no path traversal)."""
    stem, _, extension = name.partition(".")
    if len(stem) != 2 * STORED_NAME_BYTES or not all(c in "0123456789abcdef" for c in stem):
        raise DomainError("invalid_photo", filename=name)
    if f".{extension}" not in (".jpg", ".png", ".webp"):
        raise DomainError("invalid_photo", filename=name)
    return Path(settings.upload_folder) / name


def _megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    return f"{value:g}" if value >= 1 else f"{value:.2f}"
