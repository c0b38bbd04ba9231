"""Two producer records that are one household: merge them, or record that they are two.

:func:`merge_producers` moves everything that points at the absorbed producer to the survivor:
trainings, registrations, marketplace accounts, products, ledger rows — every column of every
table whose foreign key references ``producer.id``, found in SQLAlchemy metadata reflected from
the database, so tables added later are covered without touching this module.  A unique constraint that includes the
producer column can clash after the move: two rows that state the same fact (the same training,
the same team's registration) are folded into one; two products with the same SKU, or any clash
in a table not known to hold such facts, stop the merge with a clear error and nothing changes.

A merged pair leaves a ``merged`` :class:`MergeCandidate` holding the absorbed producer's code,
name and phone, so an import of an old file still finds the survivor (:func:`alias_keys`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, MetaData, Table, UniqueConstraint, and_, delete, func, or_, select, tuple_, update
from sqlmodel import Session

from catalog.audit import record_change
from catalog.clock import utcnow
from catalog.errors import ConflictError
from catalog.matcher import ProducerKey
from catalog.producers import Producer, get_producer
from catalog.text import fold
from connector.onboarding.models import CandidateStatus, MergeCandidate, TrainingRecord

# Tables whose rows are facts about a household: a clash after a merge is the same fact twice.
SAME_FACT_TABLES = frozenset({"training_record", "onboarding_registration"})
_SKIPPED = frozenset({"merge_candidate"})  # handled explicitly: it records the decision itself
_FILLED = ("representative", "phone", "registration_code", "address", "unit_vn2025", "unit_vn2004")
SNAPSHOT_FIELDS = ("code", "name", "phone", "unit_vn2025", "unit_vn2004", "representative", "address")
CANDIDATES = MergeCandidate.__table__  # type: ignore[attr-defined]
TRAININGS = TrainingRecord.__table__  # type: ignore[attr-defined]


def _rowcount(result: object) -> int:
    """Rows a DML statement touched (a ``CursorResult`` attribute the generic ``Result`` type hides)."""
    return int(getattr(result, "rowcount", 0) or 0)


def incoming_key(*, phone: str | None, name: str) -> str:
    """What identifies the other side of a candidate: its phone and folded name."""
    return f"{phone or ''}|{fold(name)}"[:300]


def snapshot(producer: Producer) -> dict[str, Any]:
    return {f: getattr(producer, f) for f in SNAPSHOT_FIELDS}


@dataclass
class MergeResult:
    survivor: str
    absorbed: str
    moved: dict[str, int] = field(default_factory=dict)  # table → rows moved
    folded: dict[str, int] = field(default_factory=dict)  # table → duplicate rows dropped
    filled: list[str] = field(default_factory=list)  # survivor fields taken from the absorbed one


@dataclass
class _Fold:
    table: Table
    column: Column[Any]
    others: list[Column[Any]]
    rows: list[tuple[Any, ...]]


def producer_references(session: Session) -> list[tuple[Table, Column[Any]]]:
    """Every (table, column) whose foreign key references ``producer.id``, read from the database itself.

    Reflection rather than the models' metadata: a table added by a later feature is covered even
    when its module was not imported by the process that merges.
    """
    metadata = MetaData()
    metadata.reflect(bind=session.connection())
    out = []
    for table in metadata.sorted_tables:
        if table.name in _SKIPPED:
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name == "producer" and fk.column.name == "id":
                out.append((table, fk.parent))
    return out


def _unique_sets(table: Table, column: Column[Any]) -> list[list[Column[Any]]]:
    """The other columns of each unique constraint or unique index that includes ``column``."""
    sets = [list(c.columns) for c in table.constraints if isinstance(c, UniqueConstraint)]
    sets += [list(i.columns) for i in table.indexes if i.unique]
    return [[c for c in cols if c is not column] for cols in sets if any(c is column for c in cols)]


def _clashes(session: Session, table: Table, column: Column[Any], others: list[Column[Any]],
             keep: int, absorb: int) -> list[tuple[Any, ...]]:
    if not others:
        both = session.execute(select(func.count()).select_from(table).where(column.in_((keep, absorb)))).scalar()
        return [()] if (both or 0) > 1 else []
    kept = select(*others).where(column == keep)
    query = select(*others).where(column == absorb, tuple_(*others).in_(kept))
    return [tuple(r) for r in session.execute(query)]


def _plan_clashes(session: Session, survivor: Producer, absorbed: Producer,
                  refs: list[tuple[Table, Column[Any]]]) -> list[_Fold]:
    """The rows to fold, or an error for a clash that must not be folded (checked before any change)."""
    assert survivor.id is not None
    assert absorbed.id is not None
    plan = []
    for table, column in refs:
        for others in _unique_sets(table, column):
            rows = _clashes(session, table, column, others, survivor.id, absorbed.id)
            if not rows:
                continue
            if table.name == "product" and [c.name for c in others] == ["sku"]:
                raise ConflictError("producers.merge_sku_conflict", a=survivor.code, b=absorbed.code,
                                    skus=", ".join(sorted(str(r[0]) for r in rows)))
            if table.name not in SAME_FACT_TABLES or not others:
                raise ConflictError("producers.merge_conflict", table=table.name, a=survivor.code,
                                    b=absorbed.code, columns=", ".join(c.name for c in others) or column.name)
            plan.append(_Fold(table, column, others, rows))
    return plan


def _same_trainings(session: Session, keep: int, absorb: int) -> list[int]:
    """The absorbed one's trainings that the survivor has too (same day, same topic in any spelling),
    as the import sees them; the unique constraint only catches exact spellings."""
    rows = session.execute(select(TRAININGS.c.id, TRAININGS.c.producer_id, TRAININGS.c.day, TRAININGS.c.topic)
                           .where(TRAININGS.c.producer_id.in_((keep, absorb)))).all()
    kept = {(day, fold(topic)) for _, pid, day, topic in rows if pid == keep}
    return [tid for tid, pid, day, topic in rows if pid == absorb and (day, fold(topic)) in kept]


def merge_producers(*, session: Session, keep_code: str, absorb_code: str, actor: str) -> MergeResult:
    """Fold producer ``absorb_code`` into ``keep_code``: everything moves, the absorbed one is deleted."""
    survivor = get_producer(session=session, code=keep_code)
    absorbed = get_producer(session=session, code=absorb_code)
    if survivor.id == absorbed.id:
        raise ConflictError("producers.merge_same", value=keep_code)
    assert survivor.id is not None
    assert absorbed.id is not None
    refs = producer_references(session)
    plan = _plan_clashes(session, survivor, absorbed, refs)
    session.flush()
    result = MergeResult(survivor=survivor.code, absorbed=absorbed.code)
    if trainings := _same_trainings(session, survivor.id, absorbed.id):
        session.execute(delete(TRAININGS).where(TRAININGS.c.id.in_(trainings)))
        result.folded["training_record"] = len(trainings)
    for fold_ in plan:
        gone = _rowcount(session.execute(delete(fold_.table).where(
            fold_.column == absorbed.id, tuple_(*fold_.others).in_(fold_.rows))))
        result.folded[fold_.table.name] = result.folded.get(fold_.table.name, 0) + gone
    for table, column in refs:
        moved = _rowcount(session.execute(update(table).where(column == absorbed.id)
                                          .values({column.name: survivor.id})))
        if moved:
            result.moved[table.name] = result.moved.get(table.name, 0) + moved
    before, gone_snapshot = snapshot(survivor), snapshot(absorbed)
    for name in _FILLED:
        if getattr(survivor, name) in (None, "") and getattr(absorbed, name) not in (None, ""):
            setattr(survivor, name, getattr(absorbed, name))
            result.filled.append(name)
    _record_candidates(session, survivor, absorbed, gone_snapshot, actor)
    session.delete(absorbed)
    session.add(survivor)
    session.flush()
    counts = {f"moved_{t}": n for t, n in result.moved.items()} | {f"folded_{t}": n for t, n in result.folded.items()}
    record_change(session=session, actor=actor, entity="producer", entity_id=survivor.code, action="merge",
                  before={**before, "absorbed": absorbed.code}, after={**snapshot(survivor), **counts})
    record_change(session=session, actor=actor, entity="producer", entity_id=absorbed.code, action="merge",
                  before=gone_snapshot, after={"merged_into": survivor.code, **counts})
    return result


def _record_candidates(session: Session, survivor: Producer, absorbed: Producer, gone: dict[str, Any],
                       actor: str) -> None:
    """Close the candidates of the pair, repoint the absorbed one's others, keep its identity as an alias."""
    assert survivor.id is not None
    assert absorbed.id is not None
    key = incoming_key(phone=absorbed.phone, name=absorbed.name)
    now = utcnow()
    rows = session.execute(select(CANDIDATES).where(or_(
        CANDIDATES.c.producer_a_id == absorbed.id, CANDIDATES.c.producer_b_id == absorbed.id))).mappings().all()
    taken = {r[0] for r in session.execute(select(CANDIDATES.c.incoming_key)
                                           .where(CANDIDATES.c.producer_a_id == survivor.id))}
    for row in rows:
        a = survivor.id if row["producer_a_id"] == absorbed.id else row["producer_a_id"]
        b = survivor.id if row["producer_b_id"] == absorbed.id else row["producer_b_id"]
        pair = {a, b} == {survivor.id}
        if a == survivor.id and row["incoming_key"] in taken and row["producer_a_id"] != survivor.id:
            session.execute(delete(CANDIDATES).where(CANDIDATES.c.id == row["id"]))
            continue
        values: dict[str, Any] = {"producer_a_id": a, "producer_b_id": None if pair else b}
        if pair:
            values |= {"status": CandidateStatus.merged.value, "decided_at": now, "decided_by": actor,
                       "incoming": {**(row["incoming"] or {}), **gone}}
        session.execute(update(CANDIDATES).where(CANDIDATES.c.id == row["id"]).values(values))
        if a == survivor.id:
            taken.add(row["incoming_key"])
    if key not in taken:
        session.add(MergeCandidate(producer_a_id=survivor.id, incoming=gone, incoming_key=key, reason="manual",
                                   status=CandidateStatus.merged, decided_at=now, decided_by=actor))
    else:
        session.execute(update(CANDIDATES).where(and_(
            CANDIDATES.c.producer_a_id == survivor.id, CANDIDATES.c.incoming_key == key)).values(
            status=CandidateStatus.merged.value, decided_at=now, decided_by=actor, incoming=gone, producer_b_id=None))


def keep_both(*, session: Session, a_code: str, b_code: str, actor: str) -> int:
    """Record that two producers are two households; returns how many candidates were closed."""
    a = get_producer(session=session, code=a_code)
    b = get_producer(session=session, code=b_code)
    if a.id == b.id:
        raise ConflictError("producers.merge_same", value=a_code)
    now = utcnow()
    pair = or_(and_(CANDIDATES.c.producer_a_id == a.id, CANDIDATES.c.producer_b_id == b.id),
               and_(CANDIDATES.c.producer_a_id == b.id, CANDIDATES.c.producer_b_id == a.id))
    closed = _rowcount(session.execute(update(CANDIDATES).where(pair).values(
        status=CandidateStatus.kept.value, decided_at=now, decided_by=actor)))
    if not closed:
        session.add(MergeCandidate(producer_a_id=a.id or 0, producer_b_id=b.id, incoming=snapshot(b),
                                   incoming_key=incoming_key(phone=b.phone, name=b.name), reason="manual",
                                   status=CandidateStatus.kept, decided_at=now, decided_by=actor))
    record_change(session=session, actor=actor, entity="producer", entity_id=a.code, action="keep_both",
                  before=None, after={"other": b.code})
    session.flush()
    return max(closed, 1)


def alias_keys(*, session: Session) -> list[ProducerKey]:
    """Absorbed producers as keys of their survivor, for the import's matcher."""
    query = select(CANDIDATES.c.producer_a_id, CANDIDATES.c.incoming).where(
        CANDIDATES.c.status == CandidateStatus.merged.value)
    out = []
    for survivor, data in session.execute(query):
        if data and data.get("name"):
            out.append(ProducerKey(id=survivor, code=data.get("code") or "", name=data["name"],
                                   phone=data.get("phone"), unit_vn2025=data.get("unit_vn2025"),
                                   unit_vn2004=data.get("unit_vn2004")))
    return out
