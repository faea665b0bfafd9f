#!/usr/bin/env python3
"""Bootstrap and run the platform or its tests from a fresh clone, with nothing but Python 3.11+.

    python3 scripts/dev.py run    # install into .venv, migrate, demo data, start the Procfile's web, bot and
                                  # scheduler (http://127.0.0.1:5000)
    python3 scripts/dev.py test   # install into .venv, run the whole suite on SQLite, then on PostgreSQL
                                  # (extra args go to pytest)
    python3 scripts/dev.py start  # as run, without demo data: one machine running the Procfile for real
                                  # (set APP_ENV=production, DATABASE_URL, SECRET_KEY, ... first)

Dependencies are installed from requirements.lock (exact versions that were tested); the install is
skipped while pyproject.toml and requirements.lock are unchanged. Standard library only.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed"


def ensure_venv() -> None:
    """Create .venv and install the project with its test extras, pinned by requirements.lock."""
    if sys.version_info < (3, 11):  # noqa: UP036 - this script may be started by an older python3
        sys.exit("Python 3.11 or newer is needed (found " + sys.version.split()[0] + ")")
    if not (BIN / "python").exists():
        print("creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256(
        b"".join((ROOT / f).read_bytes() for f in ("pyproject.toml", "requirements.lock"))
    ).hexdigest()
    if STAMP.exists() and STAMP.read_text() == digest:
        return
    print("installing dependencies from requirements.lock ...", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "-c", str(ROOT / "requirements.lock"), "-e", f"{ROOT}[test]"], check=True, cwd=ROOT)
    STAMP.write_text(digest)


def build() -> None:
    """Compile the translation catalogues (webapp/translations/*.po -> messages.mo)."""
    subprocess.run([str(BIN / "python"), "-m", "webapp.i18n"], check=True, cwd=ROOT)


def procfile() -> dict[str, str]:
    """The Procfile's process lines by name: the single definition of how each process starts."""
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip() and not line.startswith("#"))


def run(*, demo: bool = True) -> int:
    """The Procfile's release step, the demo data (``run`` only), then its web, bot and scheduler processes
    until Ctrl-C. ``start`` is the same without demo data: how one machine runs the platform for real."""
    env = {
        "PYTHONUNBUFFERED": "1",
        "BIND_HOST": "127.0.0.1",
        "PORT": "5000",
        "WEB_CONCURRENCY": "2",
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    lines = procfile()

    def start(name: str) -> subprocess.Popen:
        return subprocess.Popen(["bash", "-c", f"exec {lines[name]}"], cwd=ROOT, env=env)

    subprocess.run(["bash", "-c", lines["release"]], check=True, cwd=ROOT, env=env)
    if demo:
        subprocess.run([str(BIN / "flask"), "--app", "webapp", "seed-demo"], check=True, cwd=ROOT, env=env)
    processes = [start("bot"), start("scheduler"), start("web")]
    print(f"\n  serving http://127.0.0.1:{env['PORT']}  (Ctrl-C stops web, bot and scheduler)\n", flush=True)

    def stop(signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)  # also when started in the background, where SIGINT is ignored
    try:
        processes[-1].wait()
    except KeyboardInterrupt:
        pass
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)
    return 0


def ensure_chromium() -> None:
    """Debian's Chromium for the browser tests (Playwright cannot download browsers here)."""
    if Path("/usr/bin/chromium").exists():
        return
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        print("installing Debian's chromium for the browser tests ...", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium", "zbar-tools"], check=True)
    else:
        print("note: /usr/bin/chromium is missing and cannot be installed here: browser tests will skip")


def test(args: list[str]) -> int:
    """The whole suite: ruff, then pytest twice, once on SQLite and once on PostgreSQL (every database
    test, the web app, the browser journeys and the real processes each time), without the loops marked
    `slow` (`dev.py test -m slow` runs them). TEST_DATABASES=sqlite
    (or postgresql) in the environment runs one pass only."""
    ensure_chromium()
    ruff = subprocess.run([str(BIN / "ruff"), "check", "."], cwd=ROOT)
    if ruff.returncode:
        return ruff.returncode
    chosen = os.environ.get("TEST_DATABASES")
    failed = 0
    for backend in [chosen] if chosen else ["sqlite", "postgresql"]:
        print(f"\n==== test suite on {backend} ====", flush=True)
        env = {**os.environ, "TEST_DATABASES": backend}
        failed |= subprocess.run(
            [str(BIN / "python"), "-m", "pytest", "-m", "not slow", *args], cwd=ROOT, env=env
        ).returncode
    return failed


def main() -> int:
    command, args = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("", [])
    if command not in {"run", "start", "test"}:
        print(__doc__)
        return 2
    ensure_venv()
    build()
    if command == "test":
        return test(args)
    return run(demo=command == "run")


if __name__ == "__main__":
    sys.exit(main())
