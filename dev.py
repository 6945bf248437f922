#!/usr/bin/env python3
"""Set-up and entry point for a fresh machine with only Python 3.11+:

    python3 dev.py run     # the product on http://127.0.0.1:5000 (Redis, worker, beat, web, demo data)
    python3 dev.py test    # the test suite (extra arguments go to pytest)

It creates .venv and installs the pinned requirements when they change, then runs inside it: `run` only what the
product needs (requirements.txt), `test` the test tools too (requirements-dev.txt).
"""
import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
# What each command installs; requirements-dev.txt includes requirements.txt.
REQUIREMENTS = {"run": "requirements.txt", "test": "requirements-dev.txt"}


def _stamp(name: str) -> Path:
    return VENV / f".{name}.sha256"


def _digest(name: str) -> str:
    files = ["requirements.txt"] + (["requirements-dev.txt"] if name == "requirements-dev.txt" else [])
    return hashlib.sha256(b"".join((ROOT / f).read_bytes() for f in files)).hexdigest()


def ensure_venv(command: str) -> None:
    """Create the virtual environment and install the command's pinned requirements when they changed."""
    if sys.version_info < (3, 11):
        sys.exit("需要 Python 3.11 或更高版本")
    if not PY.exists():
        print("创建虚拟环境 .venv …", flush=True)
        venv.create(VENV, with_pip=True)
    wanted = REQUIREMENTS[command]
    if not _stamp(wanted).exists() or _stamp(wanted).read_text() != _digest(wanted):
        print(f"安装依赖({wanted})…", flush=True)
        subprocess.run([str(PY), "-m", "pip", "install", "--disable-pip-version-check", "-q",
                        "-r", str(ROOT / wanted)], check=True)
        _stamp(wanted).write_text(_digest(wanted))


def main(argv: list[str]) -> int:
    command, rest = (argv[0], argv[1:]) if argv else ("run", [])
    if command not in ("run", "test"):
        print(__doc__)
        return 2
    ensure_venv(command)
    os.chdir(ROOT)
    if command == "run":
        args = [str(PY), "-m", "tracker.devserver"]
    else:
        args = [str(PY), "-m", "pytest", *rest]
    return subprocess.call(args)


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)
