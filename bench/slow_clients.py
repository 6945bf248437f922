"""Slow and idle clients (issue 19.6): how long `GET /login` takes while other connections send nothing.

Used by bench.cluster; runs alone too, against a server already listening:

    .venv/bin/python -m bench.slow_clients http://127.0.0.1:8000 [--sockets 8] [--half]

Opens the sockets (connect and send nothing, or half a request header and then nothing), then times a few
ordinary `GET /login` requests from a normal client, each on a fresh connection, with a time limit.
"""
import argparse
import socket
import sys
import time
from contextlib import contextmanager
from urllib.parse import urlsplit

import requests

HALF_HEADER = b"GET /login HTTP/1.1\r\nHost: tracker\r\nUser-Agent: slow\r\n"


@contextmanager
def idle_sockets(base: str, count: int, half: bool = False):
    """`count` connections that sent nothing (or half a header), held open for the block."""
    parts = urlsplit(base)
    held = []
    try:
        for _ in range(count):
            sock = socket.create_connection((parts.hostname, parts.port), timeout=5)
            if half:
                sock.sendall(HALF_HEADER)
            held.append(sock)
        time.sleep(0.3)  # let the server accept them and hand them to its workers
        yield held
    finally:
        for sock in held:
            sock.close()


def timed_logins(base: str, tries: int = 3, limit: float = 12.0) -> list[float | None]:
    """Seconds each `GET /login` took on a fresh connection (None: no answer within `limit`)."""
    took = []
    for _ in range(tries):
        started = time.perf_counter()
        try:
            answer = requests.get(base + "/login", timeout=limit, headers={"Connection": "close"})
            took.append(time.perf_counter() - started if answer.status_code == 200 else None)
        except requests.RequestException:
            took.append(None)
    return took


def describe(took: list[float | None]) -> str:
    """Latencies in ms, 'timeout' for an unanswered try."""
    return ", ".join("no answer" if t is None else f"{t * 1000:.0f} ms" for t in took)


def case(base: str, sockets: int, half: bool, tries: int = 3, limit: float = 12.0) -> list[float | None]:
    """The login page's latencies while `sockets` idle (or half-header) connections are held."""
    with idle_sockets(base, sockets, half):
        return timed_logins(base, tries, limit)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="e.g. http://127.0.0.1:8000")
    parser.add_argument("--sockets", type=int, default=8)
    parser.add_argument("--half", action="store_true", help="send half a request header on each")
    args = parser.parse_args(argv)
    base = args.base.rstrip("/")
    print(f"warm: {describe(timed_logins(base, 2))}")
    print(f"{args.sockets} {'half-header' if args.half else 'idle'} sockets held: "
          f"GET /login {describe(case(base, args.sockets, args.half))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
