"""Half-written export files: a run writes its file as ``<name>.part`` and renames it when done
(``jobs.run``), so a ``.part`` file that has not been written to for a long time is what a process ended
mid-export (killed, crashed) left behind, named by no job."""

from __future__ import annotations

from carbon_credit.exports.jobs import export_folder
from carbon_credit.platform.settings import Settings


def sweep_partial_files(*, settings: Settings, older_than: float) -> int:
    """Delete the ``.part`` files last written before ``older_than`` (a POSIX time); returns how many went."""
    folder, gone = export_folder(settings), 0
    for path in folder.glob("*.part") if folder.is_dir() else ():
        try:
            if path.stat().st_mtime < older_than:
                path.unlink()
                gone += 1
        except FileNotFoundError:  # renamed or removed meanwhile
            continue
    return gone
