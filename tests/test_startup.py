"""Start-up: what `import wsgi` (every web worker, Celery process and `flask --app wsgi …` command) loads."""
import json
import os
import subprocess
import sys

from tests.conftest import ROOT

# Loaded where a file is built or a migration runs, never at start-up (issue 19: start-up and memory).
LAZY = ("docx", "openpyxl", "PIL", "segno", "alembic", "flask_migrate")


def _python() -> str:
    python = ROOT / ".venv" / "bin" / "python"
    return str(python if python.exists() else sys.executable)


def _run(args: list[str], tmp_path) -> subprocess.CompletedProcess:
    env = {**os.environ, "INSTANCE_DIR": str(tmp_path / "instance"), "UPLOAD_DIR": str(tmp_path / "uploads"),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'startup.db'}"}
    return subprocess.run([_python(), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)


def test_importing_the_app_loads_no_file_builder_and_no_alembic(tmp_path):
    probe = "import sys, json, wsgi; print(json.dumps(sorted(m for m in sys.modules if '.' not in m)))"
    completed = _run(["-c", probe], tmp_path)
    assert completed.returncode == 0, completed.stderr
    loaded = set(json.loads(completed.stdout.splitlines()[-1]))
    assert "tracker" in loaded and "flask" in loaded
    assert not loaded & set(LAZY), sorted(loaded & set(LAZY))


def test_flask_db_binds_flask_migrate_when_asked_for(tmp_path):
    listed = _run(["-m", "flask", "--app", "wsgi", "db", "--help"], tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "upgrade" in listed.stdout and "downgrade" in listed.stdout
    upgraded = _run(["-m", "flask", "--app", "wsgi", "db", "upgrade"], tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    current = _run(["-m", "flask", "--app", "wsgi", "db", "current"], tmp_path)
    assert current.returncode == 0 and "(head)" in current.stdout, current.stdout + current.stderr
