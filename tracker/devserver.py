"""`python dev.py run`: the whole product on one machine — Redis, migrations, demo, worker with beat, web."""
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tracker import embedded_redis

ROOT = Path(__file__).resolve().parent.parent


def _flask(*args: str, env: dict) -> None:
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env, check=True)


def _wait_for(url: str, proc: subprocess.Popen, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            urllib.request.urlopen(url, timeout=1)
            return True
        except OSError:
            time.sleep(0.3)
    return False


def worker_commands(instance: Path) -> list[list[str]]:
    """Two workers: one with beat for reminders and housekeeping, one for evidence packs alone, so a 催办
    e-mail never waits behind a county's packs (EXPORT_QUEUE, REMINDER_QUEUE)."""
    from config import Config
    config = Config()
    celery = [sys.executable, "-m", "celery", "-A", "wsgi.celery_app", "worker", "--loglevel=INFO"]
    others = ",".join(q.name for q in config.CELERY["task_queues"] if q.name != config.EXPORT_QUEUE)
    return [[*celery, "--beat", "--concurrency=2", "-Q", others, "-n", "tracker@%h",
             "--schedule", str(instance / "celerybeat-schedule")],
            [*celery, "--concurrency=1", "-Q", config.EXPORT_QUEUE, "-n", "exports@%h"]]


def main() -> int:
    env = dict(os.environ)
    instance = Path(env.get("INSTANCE_DIR", ROOT / "instance"))
    port = env.get("PORT", "5000")
    children: list[subprocess.Popen] = []
    if not env.get("REDIS_URL"):
        redis_proc, env["REDIS_URL"] = embedded_redis.start(instance / "redis")
        children.append(redis_proc)
        print(f"已启动内置 Redis:{env['REDIS_URL']}", flush=True)

    def stop(*_):
        for child in reversed(children):
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        _flask("db", "upgrade", env=env)
        _flask("plan", "load-demo", "--quiet", env=env)
        _flask("reminders", "run", env=env)  # today's notices at once, not at beat's first tick
        for command in worker_commands(instance):
            children.append(subprocess.Popen(command, cwd=ROOT, env=env))
        web = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "run", "--host", "127.0.0.1",
                                "--port", port], cwd=ROOT, env=env)
        children.append(web)
        if _wait_for(f"http://127.0.0.1:{port}/login", web):
            from tracker.services.demo import DEMO_PASSWORD, DEMO_USERS
            print(f"\n法治建设任务督办已启动:http://127.0.0.1:{port}/  (Ctrl+C 停止)", flush=True)
            print(f"演示账号(密码均为 {DEMO_PASSWORD}):")
            for username, name, _role, path, what in DEMO_USERS:
                print(f"  {username:<14} {name:<10} {path:<10} {what}")
            print(flush=True)
        while all(child.poll() is None for child in children):
            time.sleep(1)
        print("有子进程退出,正在停止。", file=sys.stderr)
    except subprocess.CalledProcessError as exc:
        print(f"启动失败:{exc}", file=sys.stderr)
    stop()
    return 1


if __name__ == "__main__":
    sys.exit(main())
