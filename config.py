"""Configuration classes; the one place the environment is read."""
import os
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
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_SECURE_DEFAULT = False
    # Argon2id costs (argon2-cffi's defaults: RFC 9106's second recommendation).
    PASSWORD_HASH_TIME_COST = 3
    PASSWORD_HASH_MEMORY_COST = 65536

    def __init__(self):
        env = os.environ
        instance_dir = Path(env.get("INSTANCE_DIR", BASE_DIR / "instance"))
        self.INSTANCE_DIR = str(instance_dir)
        self.SECRET_KEY = env.get("SECRET_KEY", DEFAULT_SECRET_KEY)
        self.SQLALCHEMY_DATABASE_URI = database_url(env.get("DATABASE_URL")) or f"sqlite:///{instance_dir / 'tracker.db'}"
        self.REDIS_URL = env.get("REDIS_URL", "redis://127.0.0.1:6379/0")
        self.TIMEZONE = env.get("TIMEZONE", "Asia/Shanghai")
        self.UPLOAD_DIR = env.get("UPLOAD_DIR") or str(instance_dir / "uploads")
        # Whole request bodies; a single evidence file is capped lower.
        self.MAX_CONTENT_LENGTH = int(env.get("MAX_CONTENT_LENGTH", 50 * 1024 * 1024))
        self.EVIDENCE_MAX_BYTES = int(env.get("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))
        self.API_TOKEN_HOURS = int(env.get("API_TOKEN_HOURS", 24 * 7))
        self.SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", self.SESSION_COOKIE_SECURE_DEFAULT)
        self.CELERY = {
            "broker_url": env.get("CELERY_BROKER_URL", self.REDIS_URL),
            "task_ignore_result": True,
            "task_acks_late": True,
            "task_reject_on_worker_lost": True,
            "worker_prefetch_multiplier": 1,
            "timezone": self.TIMEZONE,
            "include": ["tasks.maintenance"],
            "beat_schedule_filename": str(instance_dir / "celerybeat-schedule"),
            "broker_connection_retry_on_startup": True,
            "beat_schedule": {
                "prune-api-tokens": {"task": "maintenance.prune_tokens", "schedule": 3600.0},
            },
        }

    def as_dict(self):
        """Upper-case settings of the class and the instance, for app.config."""
        names = {n for n in dir(self) if n.isupper()}
        return {n: getattr(self, n) for n in names}


class DevelopmentConfig(Config):
    """Local development: the embedded SQLite and Redis."""

    DEBUG = False


class TestConfig(Config):
    """The test suite: each test gets its own data; CSRF stays on, hashing is cheap."""

    TESTING = True
    PASSWORD_HASH_TIME_COST = 1
    PASSWORD_HASH_MEMORY_COST = 8192


class ProductionConfig(Config):
    """Production: PostgreSQL, a real Redis, gunicorn; refuses the default secret."""

    SESSION_COOKIE_SECURE_DEFAULT = True


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
