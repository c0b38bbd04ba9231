"""What a register row adds around its household: the team member, the registration, the training,
the marketplace accounts — each deduplicated in memory and written with one executemany.

Keys make a re-import a no-op: a registration is (household, team member), a training is
(household, day, folded topic), an account is (household, platform).  An account found again
takes the row's status (statuses change; the team's latest file says so) and fills its blank
shop id, login phone or opening date; nothing else is overwritten.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlmodel import Session

from catalog.importing import Counts, ProblemLog, insert_columns
from catalog.matcher import MatchKind
from catalog.text import fold, slug
from connector.accounts import AccountStatus, MarketplaceAccount
from connector.onboarding.households import HouseholdBook, Resolution
from connector.onboarding.models import Registration, TeamMember, TrainingRecord

ACCOUNTS = MarketplaceAccount.__table__  # type: ignore[attr-defined]
MEMBERS = TeamMember.__table__  # type: ignore[attr-defined]
REGISTRATIONS = Registration.__table__  # type: ignore[attr-defined]
TRAININGS = TrainingRecord.__table__  # type: ignore[attr-defined]
DEFAULT_TOPIC = "Tập huấn kỹ năng số"
_ACCOUNT_FIELDS = ("name", "marketplace", "shop_id", "login_phone", "opened_on", "status")
_NEW = MatchKind.new
_MERGE_BY = {MatchKind.code: "mã hộ / code", MatchKind.phone: "số điện thoại / phone",
             MatchKind.name_commune: "tên và xã / name and commune",
             MatchKind.same_file: "cùng tệp, tên và xã / same file, name and commune"}


@dataclass
class MergeNote:
    """A row that joined a household already known: from the database, another file, or another row
    of the same file written differently (an exact repeat of a row is no join)."""

    source: str
    sheet: str
    row: int
    code: str
    name: str
    by: str

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "sheet": self.sheet, "row": self.row, "code": self.code, "name": self.name,
                "by": self.by}


@dataclass(slots=True)
class _Reg:
    id: int | None  # None: new in this run
    day: date
    source: str = ""
    earlier: bool = False  # an existing registration that this run dates earlier


_NON_WORD = re.compile(r"[^0-9a-z]+")
_PLAIN_CODE = re.compile(r"[0-9A-Za-z]+(?:-[0-9A-Za-z]+)*")  # its slug is itself in lower case
_STATUS_VALUE = {status: status.value for status in AccountStatus}


def _code_slug(code: str) -> str:
    """``slug(code)``; household codes are ASCII ("01933-0001"), where slug is lower-case and dashes."""
    return _NON_WORD.sub("-", code.lower()).strip("-") if code.isascii() else slug(code)


def _columns(rows: list[tuple[Any, ...]], width: int) -> list[list[Any]]:
    """The columns of ``rows`` (``width`` empty ones when there are no rows)."""
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in range(width)]


@dataclass
class MemberBook:
    """Team members by phone (or, without one, by folded name)."""

    session: Session
    log: ProblemLog
    created: int = 0
    by_phone: dict[str, int] = field(default_factory=dict)
    by_name: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    names: dict[int, str] = field(default_factory=dict)
    _pending: list[dict[str, Any]] = field(default_factory=list)
    _pending_ids: list[int] = field(default_factory=list)
    real_ids: dict[int, int] = field(default_factory=dict)  # temporary (negative) id → id once written
    _warned: set[tuple[str, str]] = field(default_factory=set)
    origin: dict[int, str] = field(default_factory=dict)  # member new in this run → the file that named it
    source: str = ""

    def load(self) -> None:
        for mid, name, phone in self.session.execute(select(MEMBERS.c.id, MEMBERS.c.name, MEMBERS.c.phone)):
            self._index(mid, name, phone)

    def _index(self, mid: int, name: str, phone: str | None) -> None:
        self.names[mid] = name
        if phone:
            self.by_phone[phone] = mid
        self.by_name[fold(name)].append(mid)

    def resolve(self, name: str | None, phone: str | None, *, sheet: str, row: int,
                columns: dict[str, str]) -> int | None:
        if not (name or phone):
            return None
        if phone:
            mid = self.by_phone.get(phone)
            if mid is not None:
                known = self.names[mid]
                if name and name != known and fold(name) != fold(known) and (phone, name) not in self._warned:
                    self._warned.add((phone, name))
                    self.log.warning("onboarding.member_name_differs", sheet=sheet, row=row,
                                     column=columns.get("member_name"), value=phone, existing=known, name=name)
                return mid
            return self._create(name or phone, phone)
        assert name is not None
        found = self.by_name.get(fold(name), [])
        if len(found) == 1:
            return found[0]
        if (name, "") not in self._warned:
            self._warned.add((name, ""))
            self.log.warning("onboarding.member_phone_needed", sheet=sheet, row=row,
                             column=columns.get("member_name"), value=name)
        return self._create(name, None)

    def _create(self, name: str, phone: str | None) -> int:
        mid = -1 - len(self._pending_ids) - len(self.real_ids)
        self._index(mid, name, phone)
        self.origin[mid] = self.source
        self._pending.append({"name": name, "phone": phone})
        self._pending_ids.append(mid)
        return mid

    def real_id(self, mid: int | None) -> int | None:
        return None if mid is None else self.real_ids.get(mid, mid)

    def flush(self) -> None:
        if self._pending:
            result = self.session.execute(insert(MEMBERS).returning(MEMBERS.c.id, sort_by_parameter_order=True),
                                          self._pending)
            self.real_ids.update(zip(self._pending_ids, result.scalars().all(), strict=True))
            self.created += len(self._pending)
            self._pending, self._pending_ids = [], []


@dataclass
class RegisterBook:
    session: Session
    log: ProblemLog
    households: HouseholdBook
    members: MemberBook
    today: date
    counts: dict[str, dict[str, Counts]] = field(default_factory=dict)  # source → entity → counts
    merges: list[MergeNote] = field(default_factory=list)
    _regs: dict[tuple[int, int | None], _Reg] = field(default_factory=dict)
    _trainings: set[tuple[int, date, str]] = field(default_factory=set)
    _seen: set[tuple[Any, ...]] = field(default_factory=set)  # existing keys met again (counted once)
    _new_trainings: list[tuple[int, date, str, int | None]] = field(default_factory=list)  # pid, day, topic, mid
    _accounts: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)
    _changes: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)  # stored account → new values
    _names: set[str] = field(default_factory=set)
    _source: str = ""
    _topics: dict[str, str] = field(default_factory=dict)  # topic → fold(topic)
    # the current file's counts (``counts[source]``), held at hand for the per-row paths
    _registrations: Counts = field(default_factory=Counts)
    _trained: Counts = field(default_factory=Counts)
    _opened: Counts = field(default_factory=Counts)

    def load(self) -> None:
        reg = REGISTRATIONS.c
        for rid, pid, mid, day in self.session.execute(select(reg.id, reg.producer_id, reg.team_member_id,
                                                              reg.registered_on)):
            self._regs[(pid, mid)] = _Reg(rid, day)
        tr = TRAININGS.c
        for pid, day, topic in self.session.execute(select(tr.producer_id, tr.day, tr.topic)):
            self._trainings.add((pid, day, fold(topic)))
        ac = ACCOUNTS.c
        query = select(ac.id, ac.name, ac.producer_id, ac.marketplace, ac.shop_id, ac.login_phone, ac.opened_on,
                       ac.status)
        for row in self.session.execute(query).mappings():
            self._names.add(row["name"])
            self._accounts.setdefault((row["producer_id"], row["marketplace"]), dict(row))

    def tally(self, entity: str) -> Counts:
        return self.counts.setdefault(self._source, {}).setdefault(entity, Counts())

    def _topic_key(self, topic: str) -> str:
        key = self._topics.get(topic)
        if key is None:
            key = self._topics[topic] = fold(topic)
        return key

    def start_file(self, source: str, log: ProblemLog) -> None:
        self._source, self.log = source, log
        self._registrations, self._trained, self._opened = (
            self.tally("registrations"), self.tally("trainings"), self.tally("accounts"))
        self.households.log = self.members.log = log
        self.members.source = source

    def add_row(self, values: dict[str, Any], found: Resolution, mid: int | None, *, sheet: str, row: int) -> None:
        pid = found.producer_id
        get = values.get
        trained, opened = get("training_date"), get("opened_on")
        day = get("registered_on")
        if not day:
            day = (trained if opened is None or (trained is not None and trained <= opened) else opened) or self.today
        self._register(pid, mid, day, found, sheet=sheet, row=row)
        if trained is not None:
            topic = get("training_topic") or DEFAULT_TOPIC
            key = (pid, trained, self._topic_key(topic))
            if key not in self._trainings:
                self._trainings.add(key)
                self._new_trainings.append((pid, trained, topic, mid))
                self._trained.created += 1
            elif pid > 0 and ("t", key) not in self._seen:
                self._seen.add(("t", key))
                self._trained.unchanged += 1
        platforms = get("platform")
        if platforms:
            for platform in platforms:
                self._account(pid, platform, values, mid, sheet=sheet, row=row)

    def _register(self, pid: int, mid: int | None, day: date, found: Resolution, *, sheet: str, row: int) -> None:
        known = self._regs.get((pid, mid))
        if known is None:
            self._regs[(pid, mid)] = _Reg(None, day, self._source)
            self._registrations.created += 1
            if found.kind is not _NEW and (pid > 0 or self.households.origin.get(pid) != self._source):
                self._joined(pid, found, sheet=sheet, row=row)
            return
        if found.joined and pid < 0 and self.households.origin.get(pid) == self._source:
            self._joined(pid, found, sheet=sheet, row=row)  # another row of this file, written differently
        counts, seen = self._registrations, ("r", pid, mid) in self._seen
        self._seen.add(("r", pid, mid))
        if day < known.day:
            known.day = day
            if known.id is not None and not known.earlier:
                known.earlier = True
                counts.updated += 1
                counts.unchanged -= 1 if seen else 0
        elif known.id is not None and not seen:
            counts.unchanged += 1

    def _joined(self, pid: int, found: Resolution, *, sheet: str, row: int) -> None:
        by = _MERGE_BY.get(found.kind)
        if by:
            data = self.households.rows[pid]
            self.merges.append(MergeNote(self._source, sheet, row, data["code"], data["name"], by))
            self.log.warning("onboarding.merged", sheet=sheet, row=row, value=data["name"], existing=data["code"],
                             by=by)

    def _account(self, pid: int, platform: str, values: dict[str, Any], mid: int | None, *, sheet: str,
                 row: int) -> None:
        shop_field, shop_value = values.get("shop") or (None, None)
        status = values.get("status")
        key = (pid, platform)
        current = self._accounts.get(key)
        if current is None:
            current = self._accounts[key] = {
                "id": None, "name": self._account_name(self.households.rows[pid]["code"], platform),
                "producer_id": pid, "marketplace": platform, "shop_id": None, "login_phone": None,
                "opened_on": values.get("opened_on"), "onboarded_by": mid,
                "status": _STATUS_VALUE[status or AccountStatus.active]}
            if shop_field:
                current[shop_field] = shop_value
            self._opened.created += 1
            return
        changes = {"status": status.value} if status is not None and current["status"] != status.value else {}
        for field_name, value in ((shop_field, shop_value), ("opened_on", values.get("opened_on"))):
            if field_name and value is not None and current.get(field_name) is None:
                changes[field_name] = value
        stored = current["id"] is not None
        if not changes:
            if stored and key not in self._changes and ("a", pid, platform) not in self._seen:
                self._seen.add(("a", pid, platform))
                self._opened.unchanged += 1
            return
        current.update(changes)
        if stored:
            if key not in self._changes:
                self._seen.add(("a", pid, platform))
                self._opened.updated += 1
            self._changes.setdefault(key, {}).update(changes)
            self.log.warning("onboarding.account_changed", sheet=sheet, row=row, value=current["name"],
                             changes=", ".join(f"{k}={v}" for k, v in changes.items()))

    def _account_name(self, code: str, platform: str) -> str:
        base = f"{code.lower() if _PLAIN_CODE.fullmatch(code) else _code_slug(code) or 'ho'}-{platform}"[:56]
        name, n = base, 1
        while name in self._names:
            n += 1
            name = f"{base}-{n}"
        self._names.add(name)
        return name

    # --- writes -------------------------------------------------------------------------------

    def flush(self) -> None:
        """Write everything staged: households and members first, then what points at them."""
        self.households.flush()
        self.members.flush()
        households = self.households.real_ids.get
        members: Callable[[Any, Any], Any] = self.members.real_ids.get  # ``None`` (no member) stays None
        # rows go in household order (the households were written in code order): each index on
        # ``producer_id`` then grows at its end
        new_regs = sorted(((households(p, p), members(m, m), r.day, r.source[:200])
                           for (p, m), r in self._regs.items() if r.id is None), key=itemgetter(0))
        insert_columns(self.session, REGISTRATIONS, dict(zip(
            ("producer_id", "team_member_id", "registered_on", "source"), _columns(new_regs, 4), strict=True)))
        earlier = [{"_id": r.id, "_day": r.day} for r in self._regs.values() if r.id is not None and r.earlier]
        if earlier:
            self.session.execute(update(REGISTRATIONS).where(REGISTRATIONS.c.id == bindparam("_id"))
                                 .values(registered_on=bindparam("_day")), earlier)
        trainings = sorted(((households(p, p), day, topic, None, members(m, m))
                            for p, day, topic, m in self._new_trainings), key=itemgetter(0))
        insert_columns(self.session, TRAININGS, dict(zip(
            ("producer_id", "day", "topic", "trainer", "team_member_id"), _columns(trainings, 5), strict=True)))
        self._new_trainings = []
        self._flush_accounts()

    def _flush_accounts(self) -> None:
        households = self.households.real_ids.get
        members: Callable[[Any, Any], Any] = self.members.real_ids.get  # ``None`` (no member) stays None
        fields = itemgetter(*_ACCOUNT_FIELDS)
        new = sorted(((households(a["producer_id"], a["producer_id"]), members(a["onboarded_by"], a["onboarded_by"]),
                       *fields(a)) for a in self._accounts.values() if a["id"] is None), key=itemgetter(0))
        columns = dict(zip(("producer_id", "onboarded_by", *_ACCOUNT_FIELDS), _columns(new, 8), strict=True))
        insert_columns(self.session, ACCOUNTS, columns, constants={"rules": {}}, now=("created_at",))
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        for key, changes in self._changes.items():
            values = {f"v_{k}": v for k, v in changes.items()}
            groups[tuple(sorted(changes))].append({"_id": self._accounts[key]["id"], **values})
        self._changes = {}
        for keys, rows in groups.items():
            self.session.execute(update(ACCOUNTS).where(ACCOUNTS.c.id == bindparam("_id"))
                                 .values({k: bindparam(f"v_{k}") for k in keys}), rows)
