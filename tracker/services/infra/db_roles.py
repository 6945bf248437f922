"""Two PostgreSQL roles (issue 18.6): the owner of the tables runs migrations and restores; the app runs as a
role that may read and write every table but only add to the audit trail, and cannot alter any table, so it can
neither rewrite nor empty the trail, nor switch its triggers off."""
import re

from tracker.extensions import db
from tracker.services.errors import ValidationFailed

ROLE_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
APPEND_ONLY = ("audit_entry",)
READ_ONLY = ("alembic_version",)


def runtime_grants(role: str) -> list[str]:
    """The statements, run by the owner, that give `role` what the app needs at run time and no more."""
    if not isinstance(role, str) or not ROLE_RE.match(role):
        raise ValidationFailed("角色名须为小写字母、数字或下划线(至多63位)", {"role": "角色名格式不正确"})
    quoted = f'"{role}"'
    statements = [
        f"GRANT USAGE ON SCHEMA public TO {quoted}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
        # Tables and sequences later migrations add (made by this same owner) come with the same rights.
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {quoted}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {quoted}",
    ]
    statements += [f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {t} FROM {quoted}" for t in APPEND_ONLY]
    statements += [f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {t} FROM {quoted}"
                   for t in READ_ONLY]
    return statements


def grant_runtime_role(role: str) -> list[str]:
    """Run the grants on this database as the connected (owner) role; returns what was run."""
    if db.engine.dialect.name != "postgresql":
        raise ValidationFailed("运行角色只适用于 PostgreSQL 数据库")
    statements = runtime_grants(role)
    exists = db.session.execute(db.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).scalar()
    if not exists:
        raise ValidationFailed(f"数据库角色“{role}”不存在,请先用 CREATE ROLE 创建")
    for statement in statements:
        db.session.execute(db.text(statement))
    return statements
