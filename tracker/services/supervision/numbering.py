"""督办单 numbers in 公文 style: the issuer's short name + 督 + 〔year〕 + sequence + 号 (旌督〔2026〕3号)."""
from sqlalchemy import select, update

from tracker.extensions import db
from tracker.models import Organisation, SupervisionCounter
from tracker.services.infra.inserts import dialect_insert


def next_seq(org_id: int, year: int) -> int:
    """The organisation's next sequence number for the year, race-free.

    The counter row is made once (ON CONFLICT DO NOTHING), then incremented in place: the UPDATE's row lock makes
    a second issuer wait for the first to commit and read its number, so no two notices share one (and the
    unique key on supervision(issuer_org_id, year, seq) stands behind it).
    """
    db.session.execute(dialect_insert(SupervisionCounter.__table__).values(
        org_id=org_id, year=year, last_seq=0).on_conflict_do_nothing())
    key = (SupervisionCounter.org_id == org_id) & (SupervisionCounter.year == year)
    db.session.execute(update(SupervisionCounter).where(key).values(last_seq=SupervisionCounter.last_seq + 1)
                       .execution_options(synchronize_session=False))
    return db.session.scalar(select(SupervisionCounter.last_seq).where(key))


def number(org: Organisation, year: int, seq: int) -> str:
    """旌督〔2026〕3号."""
    return f"{org.abbreviation}督〔{year}〕{seq}号"
