"""Organisations: a county above its townships and departments."""
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.types import UTCDateTime, utcnow


class Organisation(db.Model):
    """A node in the tree; `path` ("/1/4/") makes "this one and those below" one indexed prefix test."""

    __tablename__ = "organisation"
    __table_args__ = (UniqueConstraint("parent_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    path: Mapped[str] = mapped_column(String(500), default="", index=True)
    # 发文机关简称 for document numbers (旌督〔2026〕3号); empty means the first character of the name (migration 0610).
    short_name: Mapped[str | None] = mapped_column(String(10))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    parent: Mapped["Organisation | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Organisation"]] = relationship(back_populates="parent")

    def contains(self, other: "Organisation") -> bool:
        """True when `other` is this organisation or lies below it."""
        return other.path.startswith(self.path)

    @property
    def abbreviation(self) -> str:
        """The short name numbers are made with: the one set, or the name's first character."""
        return self.short_name or self.name[:1]

    @property
    def full_name(self) -> str:
        """Names from the top down, joined by "/" as the CLI accepts them."""
        names, node = [], self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return "/".join(reversed(names))

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name}>"
