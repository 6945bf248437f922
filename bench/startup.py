"""Benchmark (not a test): how long `flask --app wsgi …` commands take to start, against importing Flask and
SQLAlchemy alone, and the memory a process holds once the app is built.

    .venv/bin/python -m bench.startup [--runs 9] [--postgres postgresql://postgres@127.0.0.1:5432/test]

Each command runs `--runs` times in turn (interleaved, so a busy moment hits them all alike); prints the median
wall time, its ratio to `python -c "import flask, sqlalchemy"` measured in the same run, and the peak RSS
(ru_maxrss) of the child. Commands run on SQLite (a file in a temporary folder) and, with --postgres, with
DATABASE_URL pointing there too. The issue 19 target: under 1.5 s on an idle machine and within 4× the yardstick.
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = {
    "python -c 'import flask, sqlalchemy' (yardstick)": ["-c", "import flask, sqlalchemy"],
    "python -c 'import wsgi'": ["-c", "import wsgi"],
    "flask --app wsgi --help": ["-m", "flask", "--app", "wsgi", "--help"],
    "flask --app wsgi report --help": ["-m", "flask", "--app", "wsgi", "report", "--help"],
    "flask --app wsgi db current": ["-m", "flask", "--app", "wsgi", "db", "current"],
}


def run_once(args: list[str], env: dict) -> tuple[float, float]:
    """(seconds, peak RSS in MiB) of one child process."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args)} failed")
    return elapsed, usage.ru_maxrss / 1024


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--postgres", help="also with DATABASE_URL set to this PostgreSQL database")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs 须为正整数")
    with tempfile.TemporaryDirectory() as tmp:
        databases = {"SQLite": f"sqlite:///{tmp}/startup.db"}
        if args.postgres:
            databases["PostgreSQL"] = args.postgres
        for name, url in databases.items():
            env = {**os.environ, "DATABASE_URL": url, "INSTANCE_DIR": f"{tmp}/instance"}
            subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                           check=True, capture_output=True)
            times: dict[str, list[float]] = {label: [] for label in COMMANDS}
            rss: dict[str, float] = {}
            for _ in range(args.runs):
                for label, command in COMMANDS.items():
                    seconds, peak = run_once(command, env)
                    times[label].append(seconds)
                    rss[label] = max(rss.get(label, 0), peak)
            yardstick = statistics.median(next(iter(times.values())))
            load = os.getloadavg()
            print(f"{name} ({url.split('@')[-1]}), {args.runs} runs each, load average {load[0]:.2f} "
                  f"{load[1]:.2f} {load[2]:.2f}, {os.cpu_count()} CPUs")
            print(f"  {'':<52} {'median s':>9} {'min s':>7} {'÷ yardstick':>12} {'peak RSS':>9}")
            for label, values in times.items():
                median = statistics.median(values)
                print(f"  {label:<52} {median:>9.3f} {min(values):>7.3f} {median / yardstick:>11.2f}× "
                      f"{rss[label]:>6.0f} MiB")
    print(f"(this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
