"""Results that are costly at county size, kept for a short time in Redis and shared by every web worker.

A key must name everything the result depends on (see tracker/services/tasks/counting.py); the time limit only bounds
what a key cannot see. Without Redis the result is computed each time: a cache never takes a page down.
"""
import json
import logging

import redis
from flask import current_app

log = logging.getLogger(__name__)
_clients: dict[tuple, redis.Redis] = {}
# A cache that answers slowly must not hold a page up: past this it is skipped like a missing one.
CACHE_TIMEOUT = 0.5


def redis_client(url: str, timeout: float = 5) -> redis.Redis:
    """One connection pool per Redis URL (and time limit) for the whole process."""
    if (url, timeout) not in _clients:
        _clients[url, timeout] = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    return _clients[url, timeout]


def remember(key: str, seconds: float, compute):
    """The JSON-able value stored under `key`, or `compute()` stored for `seconds` (0: no caching)."""
    if seconds <= 0:
        return compute()
    client = redis_client(current_app.config["REDIS_URL"], CACHE_TIMEOUT)
    key = "tracker:cache:" + key
    try:
        raw = client.get(key)
    except redis.RedisError as exc:
        log.warning("cache unavailable (%s); computing %s", exc, key)
        return compute()
    if raw is not None:
        return json.loads(raw)
    value = compute()
    try:
        client.set(key, json.dumps(value, ensure_ascii=False), ex=max(1, round(seconds)))
    except redis.RedisError as exc:
        log.warning("cache unavailable (%s); %s not kept", exc, key)
    return value
