"""Configuration classes; the one place the environment is read."""
import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent

DEFAULT_SECRET_KEY = "dev-only-insecure-secret-key"


def _bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def database_url(url: str | None) -> str | None:
    """Use psycopg 3 for PostgreSQL URLs written the usual way (postgres://, postgresql://)."""
    if url and url.startswith(("postgres://", "postgresql://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


class Config:
    """Settings shared by every environment, read from the environment when instantiated."""

    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # Light thresholds (DOMAIN.md); the reminders issue makes them editable per organisation.
    DUE_SOON_WORKDAYS = 3
    STALLED_DAYS = 30
    # Reminder rule defaults (issue 4); each organisation's committee may edit its own.
    ESCALATE_LEAD_AFTER = 4
    ESCALATE_COMMITTEE_AFTER = 11
    STALLED_REPEAT_DAYS = 7
    REVIEW_WAIT_WORKDAYS = 2
    # 待签收 (issue 17): working days after assignment before the owner, then the lead, is reminded.
    UNACKNOWLEDGED_OWNER_AFTER = 1
    UNACKNOWLEDGED_LEAD_AFTER = 3
    # Defaults of two environment settings (read in __init__), here so that a subclass can change them.
    SETTINGS_CACHE_SECONDS = 30
    COUNTS_CACHE_SECONDS = 60
    # The web task lists count matching tasks up to this many and then say "10000 余" (issue 19): counting every
    # task of a province on each first view costs as much as the rest of the page; the API counts exactly.
    LIST_COUNT_CAP = 10_000
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_SECURE_DEFAULT = False
    HSTS_SECONDS_DEFAULT = 0  # Strict-Transport-Security; 0 sends none (development serves plain HTTP)
    # Argon2id costs (argon2-cffi's defaults: RFC 9106's second recommendation).
    PASSWORD_HASH_TIME_COST = 3
    PASSWORD_HASH_MEMORY_COST = 65536
    # The robots' own endpoints, reached over https on the default port and only at public addresses
    # (services/reminders/webhooks.py); a test points one at a name that resolves to loopback.
    ROBOT_PUBLIC_HOSTS = {"wecom": "qyapi.weixin.qq.com", "dingtalk": "oapi.dingtalk.com"}

    def __init__(self):
        env = os.environ
        instance_dir = Path(env.get("INSTANCE_DIR", BASE_DIR / "instance"))
        self.INSTANCE_DIR = str(instance_dir)
        self.SECRET_KEY = env.get("SECRET_KEY", DEFAULT_SECRET_KEY)
        self.SQLALCHEMY_DATABASE_URI = database_url(env.get("DATABASE_URL")) or f"sqlite:///{instance_dir / 'tracker.db'}"
        self.REDIS_URL = env.get("REDIS_URL", "redis://127.0.0.1:6379/0")
        # How long a web worker keeps the calendar and reminder rules that another worker may have edited,
        # and how long the dashboard's counts and the lists' totals are reused while no task changes (0: never).
        self.SETTINGS_CACHE_SECONDS = float(env.get("SETTINGS_CACHE_SECONDS", self.SETTINGS_CACHE_SECONDS))
        self.COUNTS_CACHE_SECONDS = float(env.get("COUNTS_CACHE_SECONDS", self.COUNTS_CACHE_SECONDS))
        self.TIMEZONE = env.get("TIMEZONE", "Asia/Shanghai")
        self.UPLOAD_DIR = env.get("UPLOAD_DIR") or str(instance_dir / "uploads")
        # Whole request bodies; a single evidence file is capped lower.
        self.MAX_CONTENT_LENGTH = int(env.get("MAX_CONTENT_LENGTH", 50 * 1024 * 1024))
        self.EVIDENCE_MAX_BYTES = int(env.get("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))
        # Photos with more pixels get a placeholder preview, never decoded (a 50-megapixel phone photo passes).
        self.THUMBNAIL_MAX_PIXELS = int(env.get("THUMBNAIL_MAX_PIXELS", 50_000_000))
        # Plan import (issue 6): an uploaded report or task table, and what its zip may unpack to.
        self.IMPORT_MAX_BYTES = int(env.get("IMPORT_MAX_BYTES", 10 * 1024 * 1024))
        self.IMPORT_MAX_UNZIPPED_BYTES = int(env.get("IMPORT_MAX_UNZIPPED_BYTES", 100 * 1024 * 1024))
        # Evidence packs have a queue of their own, so a 催办 e-mail never waits behind a county's packs; a worker
        # started without -Q consumes every queue below (CELERY["task_queues"]).
        self.EXPORT_QUEUE = env.get("EXPORT_QUEUE", "exports")
        # Packs one person may have queued or building at once, and the days a built pack is kept for download.
        self.EXPORT_MAX_PENDING = int(env.get("EXPORT_MAX_PENDING", 3))
        self.EXPORT_KEEP_DAYS = float(env.get("EXPORT_KEEP_DAYS", 7))
        # A pack queued or building with no sign of life for this long was lost with its message or worker.
        self.EXPORT_STALE_SECONDS = float(env.get("EXPORT_STALE_SECONDS", 900))
        self.API_TOKEN_HOURS = int(env.get("API_TOKEN_HOURS", 24 * 7))
        self.SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", self.SESSION_COOKIE_SECURE_DEFAULT)
        self.HSTS_SECONDS = int(env.get("HSTS_SECONDS", self.HSTS_SECONDS_DEFAULT))
        # A signed-in session unused this long ends (issue 18.7); 记住我 lasts at most 30 days, its cookie is sent
        # only over HTTPS where the session's is, and logout ends it with every copy (the user's session_epoch).
        self.SESSION_IDLE_MINUTES = float(env.get("SESSION_IDLE_MINUTES", 8 * 60))
        self.REMEMBER_COOKIE_DURATION = timedelta(days=min(30, max(1, int(env.get("REMEMBER_COOKIE_DAYS", 30)))))
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        # Login throttling (issue 18.9; tracker/services/people/throttle.py), one count for web and API: after
        # LOGIN_FREE_FAILURES failures in a row an account waits LOGIN_DELAY_BASE_SECONDS, doubling with each
        # further failure up to LOGIN_DELAY_MAX_SECONDS, unless the right password comes from a device it signed
        # in on before (a signed cookie kept LOGIN_DEVICE_DAYS); an address may fail LOGIN_ADDRESS_FAILURES times
        # across all accounts in LOGIN_ADDRESS_WINDOW_SECONDS.
        self.LOGIN_FREE_FAILURES = int(env.get("LOGIN_FREE_FAILURES", 3))
        self.LOGIN_DELAY_BASE_SECONDS = float(env.get("LOGIN_DELAY_BASE_SECONDS", 2))
        self.LOGIN_DELAY_MAX_SECONDS = float(env.get("LOGIN_DELAY_MAX_SECONDS", 900))
        self.LOGIN_FAILURE_MEMORY_SECONDS = float(env.get("LOGIN_FAILURE_MEMORY_SECONDS", 24 * 3600))
        self.LOGIN_ADDRESS_FAILURES = int(env.get("LOGIN_ADDRESS_FAILURES", 100))
        self.LOGIN_ADDRESS_WINDOW_SECONDS = float(env.get("LOGIN_ADDRESS_WINDOW_SECONDS", 3600))
        self.LOGIN_DEVICE_DAYS = int(env.get("LOGIN_DEVICE_DAYS", 180))
        # Behind a reverse proxy (the documented nginx) the client's address is in X-Forwarded-For: the number of
        # proxies to trust there (werkzeug's ProxyFix); 0 trusts none, so a client cannot forge its address.
        self.PROXY_FIX_X_FOR = int(env.get("PROXY_FIX_X_FOR", 0))
        self.PROXY_FIX_X_PROTO = int(env.get("PROXY_FIX_X_PROTO", 0))
        # Where the login counts live (Redis down must not stop people logging in: they are then not counted).
        self.RATELIMIT_STORAGE_URI = env.get("RATELIMIT_STORAGE_URI", self.REDIS_URL)
        self.CELERY = {
            "broker_url": env.get("CELERY_BROKER_URL", self.REDIS_URL),
            "task_ignore_result": True,
            "task_acks_late": True,
            "task_reject_on_worker_lost": True,
            "worker_prefetch_multiplier": 1,
            "timezone": self.TIMEZONE,
            "include": ["tasks.maintenance", "tasks.reminders", "tasks.exports"],
            "beat_schedule_filename": str(instance_dir / "celerybeat-schedule"),
            "broker_connection_retry_on_startup": True,
            "beat_schedule": {
                "prune-api-tokens": {"task": "maintenance.prune_tokens", "schedule": 3600.0},
                # Reminders (issue 4): one idempotent sweep every few minutes, never one ETA job per reminder.
                "reminders-sweep": {"task": "reminders.sweep",
                                    "schedule": float(env.get("REMINDER_SWEEP_SECONDS", 300)),
                                    "options": {"queue": env.get("REMINDER_QUEUE", "celery")}},
                # Evidence packs whose message or worker was lost go out again (tasks/exports.py).
                "exports-hand-out": {"task": "exports.hand_out",
                                     "schedule": float(env.get("REMINDER_SWEEP_SECONDS", 300)),
                                     "options": {"queue": self.EXPORT_QUEUE}},
                # Packs past EXPORT_KEEP_DAYS, and files no pack owns, are deleted (tasks/exports.py).
                "exports-clean-up": {"task": "exports.clean_up", "schedule": 3600.0,
                                     "options": {"queue": self.EXPORT_QUEUE}},
            },
        }

        # Reminders (issue 4): queue, hand-out and retry timing, channels.
        self.REMINDER_QUEUE = env.get("REMINDER_QUEUE", "celery")
        self.CELERY["task_queues"] = worker_queues(self.REMINDER_QUEUE, self.EXPORT_QUEUE)
        self.REMINDER_STALE_SECONDS = float(env.get("REMINDER_STALE_SECONDS", 300))
        self.REMINDER_MAX_ATTEMPTS = int(env.get("REMINDER_MAX_ATTEMPTS", 6))
        self.REMINDER_RETRY_BASE_SECONDS = float(env.get("REMINDER_RETRY_BASE_SECONDS", 30))
        self.REMINDER_RETRY_MAX_SECONDS = float(env.get("REMINDER_RETRY_MAX_SECONDS", 3600))
        self.REMINDER_BATCH_SIZE = int(env.get("REMINDER_BATCH_SIZE", 100))
        self.REMINDER_MARK_EVERY = int(env.get("REMINDER_MARK_EVERY", 20))  # 0: once per batch
        self.REMINDER_DIGEST_TIME = env.get("REMINDER_DIGEST_TIME", "09:00")
        self.ROBOT_RATE_LIMIT = int(env.get("ROBOT_RATE_LIMIT", 20))
        self.ROBOT_RATE_WINDOW = float(env.get("ROBOT_RATE_WINDOW", 60))
        self.ROBOT_TIMEOUT = float(env.get("ROBOT_TIMEOUT", 10))
        # Robot hosts besides the real WeCom/DingTalk endpoints (issue 18.1), comma-separated `host` or `host:port`:
        # an operator's own relay or gateway. A listed host may use http and resolve to private addresses.
        self.ROBOT_ALLOWED_HOSTS = [h.strip().lower() for h in env.get("ROBOT_ALLOWED_HOSTS", "").split(",")
                                    if h.strip()]
        self.PUBLIC_BASE_URL = env.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
        self.MAIL_SERVER = env.get("MAIL_SERVER", "")
        self.MAIL_PORT = int(env.get("MAIL_PORT", 25))
        self.MAIL_USE_TLS = _bool("MAIL_USE_TLS")
        self.MAIL_USERNAME = env.get("MAIL_USERNAME", "")
        self.MAIL_PASSWORD = env.get("MAIL_PASSWORD", "")
        self.MAIL_DEFAULT_SENDER = env.get("MAIL_DEFAULT_SENDER", "tracker@localhost")
        self.MAIL_TIMEOUT = float(env.get("MAIL_TIMEOUT", 10))

    def as_dict(self):
        """Upper-case settings of the class and the instance, for app.config."""
        names = {n for n in dir(self) if n.isupper()}
        return {n: getattr(self, n) for n in names}


def worker_queues(*names: str) -> tuple:
    """The queues a worker started without -Q consumes: Celery's default one (housekeeping) and the named.

    Each with an exchange and routing key of its own name, as Celery makes a queue it was not told of: a bare
    Queue(name) would be bound to the default exchange and key, and a message for one queue would reach all.
    """
    from kombu import Exchange, Queue
    return tuple(Queue(name, Exchange(name), routing_key=name) for name in dict.fromkeys(("celery", *names)))


class DevelopmentConfig(Config):
    """Local development: the embedded SQLite and Redis."""

    DEBUG = False


class TestConfig(Config):
    """The test suite: each test gets its own data; CSRF stays on, hashing is cheap."""

    TESTING = True
    # Tests share one database and Redis, restart ids and set timestamps by hand, so two tests could share a
    # count's key; the cache's own tests switch it on.
    COUNTS_CACHE_SECONDS = 0
    PASSWORD_HASH_TIME_COST = 1
    PASSWORD_HASH_MEMORY_COST = 8192


class ProductionConfig(Config):
    """Production: PostgreSQL, a real Redis, gunicorn; refuses the default secret."""

    SESSION_COOKIE_SECURE_DEFAULT = True
    HSTS_SECONDS_DEFAULT = 365 * 24 * 3600  # one year, as the HSTS preload list asks


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def config_from_env():
    """Pick the configuration class named by TRACKER_CONFIG (default development)."""
    name = os.environ.get("TRACKER_CONFIG", "development")
    try:
        return CONFIGS[name]()
    except KeyError:
        raise SystemExit(f"未知的 TRACKER_CONFIG:{name}(可选 development、test、production)") from None
