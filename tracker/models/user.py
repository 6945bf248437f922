"""Users, their roles and API tokens."""
from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.types import UTCDateTime, one_of, utcnow


class Role(StrEnum):
    committee = "committee"  # 党委/政府办公室: assigns, reviews, manages
    leader = "leader"  # 分管领导: leads and reviews tasks
    cadre = "cadre"  # 责任人: reports progress
    viewer = "viewer"  # 督查: reads


ROLES = tuple(r.value for r in Role)
ROLE_LABELS = {"committee": "党委/政府办公室", "leader": "分管领导", "cadre": "责任人", "viewer": "督查"}


class User(UserMixin, db.Model):
    """A person who signs in; acts only in their own organisation."""

    __tablename__ = "user_account"
    __table_args__ = (one_of("role", ROLES, "role_known"),)  # migration 0520

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(30))
    unit: Mapped[str | None] = mapped_column(String(100))  # 所在单位 (a village, an office); migration 0570
    post: Mapped[str | None] = mapped_column(String(100))  # 职务
    password_hash: Mapped[str] = mapped_column(String(200))
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on password change or deactivation: it ends every other session (it is in the cookie).
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when a password reset gave the user's calendar feeds new addresses; cleared once they are told at login.
    feeds_rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    org: Mapped["Organisation"] = relationship()  # noqa: F821

    @property
    def is_active(self) -> bool:
        return self.is_active_account

    def get_id(self) -> str:
        return f"{self.id}:{self.session_epoch}"

    @property
    def signature(self) -> str:
        """王芳(云乐村 · 村支书): the name an inspector reads, with unit and post where known."""
        extra = " · ".join(part for part in (self.unit, self.post) if part)
        return f"{self.name}({extra})" if extra else self.name

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class ApiToken(db.Model):
    """A bearer token for the API, stored only as its SHA-256 hash."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} user={self.user_id}>"
