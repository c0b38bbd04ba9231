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
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlmodel import Session

from catalog.importing.bulk import insert_rows
from catalog.importing.problems import ProblemLog
from catalog.importing.result import Counts
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
_MERGE_BY = {MatchKind.code: "mã hộ / code", MatchKind.phone: "số điện thoại / phone",
             MatchKind.name_commune: "tên và xã / name and commune"}


@dataclass
class MergeNote:
    """A row that joined a household already known (from the database or another file)."""

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


def _code_slug(code: str) -> str:
    """``slug(code)``; household codes are ASCII ("01933-0001"), where slug is lower-case and dashes."""
    return _NON_WORD.sub("-", code.lower()).strip("-") if code.isascii() else slug(code)


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
    _real: dict[int, int] = field(default_factory=dict)
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
                if name and fold(name) != fold(known) and (phone, name) not in self._warned:
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
        mid = -1 - len(self._pending_ids) - len(self._real)
        self._index(mid, name, phone)
        self.origin[mid] = self.source
        self._pending.append({"name": name, "phone": phone})
        self._pending_ids.append(mid)
        return mid

    def real_id(self, mid: int | None) -> int | None:
        return None if mid is None else self._real.get(mid, mid)

    def flush(self) -> None:
        if self._pending:
            result = self.session.execute(insert(MEMBERS).returning(MEMBERS.c.id, sort_by_parameter_order=True),
                                          self._pending)
            self._real.update(zip(self._pending_ids, result.scalars().all(), strict=True))
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
    _new_trainings: list[dict[str, Any]] = field(default_factory=list)
    _accounts: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)
    _names: set[str] = field(default_factory=set)
    _source: str = ""

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
            self._accounts.setdefault((row["producer_id"], row["marketplace"]), {**row, "_changes": {}})

    def tally(self, entity: str) -> Counts:
        return self.counts.setdefault(self._source, {}).setdefault(entity, Counts())

    def start_file(self, source: str, log: ProblemLog) -> None:
        self._source, self.log = source, log
        self.households.log = self.members.log = log
        self.members.source = source

    def add_row(self, values: dict[str, Any], found: Resolution, mid: int | None, *, sheet: str, row: int) -> None:
        pid = found.producer_id
        events = [d for d in (values.get("training_date"), values.get("opened_on")) if d is not None]
        day = values.get("registered_on") or min(events, default=self.today)
        self._register(pid, mid, day, found, sheet=sheet, row=row)
        if values.get("training_date") is not None:
            topic = values.get("training_topic") or DEFAULT_TOPIC
            key = (pid, values["training_date"], fold(topic))
            if key not in self._trainings:
                self._trainings.add(key)
                self._new_trainings.append({"producer_id": pid, "day": key[1], "topic": topic, "trainer": None,
                                            "team_member_id": mid})
                self.tally("trainings").created += 1
            elif pid > 0 and ("t", key) not in self._seen:
                self._seen.add(("t", key))
                self.tally("trainings").unchanged += 1
        for platform in values.get("platform", ()):
            self._account(pid, platform, values, mid, sheet=sheet, row=row)

    def _register(self, pid: int, mid: int | None, day: date, found: Resolution, *, sheet: str, row: int) -> None:
        known = self._regs.get((pid, mid))
        if known is None:
            self._regs[(pid, mid)] = _Reg(None, day, self._source)
            self.tally("registrations").created += 1
            by = _MERGE_BY.get(found.kind)
            if by and (pid > 0 or self.households.origin.get(pid) != self._source):
                data = self.households.rows[pid]
                self.merges.append(MergeNote(self._source, sheet, row, data["code"], data["name"], by))
                self.log.warning("onboarding.merged", sheet=sheet, row=row, value=data["name"],
                                 existing=data["code"], by=by)
            return
        counts, seen = self.tally("registrations"), ("r", pid, mid) in self._seen
        self._seen.add(("r", pid, mid))
        if day < known.day:
            known.day = day
            if known.id is not None and not known.earlier:
                known.earlier = True
                counts.updated += 1
                counts.unchanged -= 1 if seen else 0
        elif known.id is not None and not seen:
            counts.unchanged += 1

    def _account(self, pid: int, platform: str, values: dict[str, Any], mid: int | None, *, sheet: str,
                 row: int) -> None:
        shop_field, shop_value = values.get("shop") or (None, None)
        status = values.get("status")
        wanted: dict[str, Any] = {"status": status.value} if status is not None else {}
        current = self._accounts.get((pid, platform))
        if current is None:
            name = self._account_name(self.households.code(pid), platform)
            self._accounts[(pid, platform)] = {
                "id": None, "name": name, "producer_id": pid, "marketplace": platform, "shop_id": None,
                "login_phone": None, "opened_on": values.get("opened_on"), "onboarded_by": mid,
                "status": (status or AccountStatus.active).value,
                **({shop_field: shop_value} if shop_field else {}), "_changes": {}}
            self.tally("accounts").created += 1
            return
        changes = {k: v for k, v in wanted.items() if current[k] != v}
        for key, value in ((shop_field, shop_value), ("opened_on", values.get("opened_on"))):
            if key and value is not None and current.get(key) is None:
                changes[key] = value
        if not changes:
            if current["id"] is not None and not current["_changes"] and ("a", pid, platform) not in self._seen:
                self._seen.add(("a", pid, platform))
                self.tally("accounts").unchanged += 1
            return
        current.update(changes)
        if current["id"] is not None:
            if not current["_changes"]:
                self._seen.add(("a", pid, platform))
                self.tally("accounts").updated += 1
            current["_changes"].update(changes)
            self.log.warning("onboarding.account_changed", sheet=sheet, row=row, value=current["name"],
                             changes=", ".join(f"{k}={v}" for k, v in changes.items()))

    def _account_name(self, code: str, platform: str) -> str:
        base = f"{_code_slug(code) or 'ho'}-{platform}"[:56]
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
        pid, mid = self.households.real_id, self.members.real_id
        new_regs = [{"producer_id": pid(p), "team_member_id": mid(m), "registered_on": r.day, "source": r.source[:200]}
                    for (p, m), r in self._regs.items() if r.id is None]
        if new_regs:
            insert_rows(self.session, REGISTRATIONS, new_regs)
        earlier = [{"_id": r.id, "_day": r.day} for r in self._regs.values() if r.id is not None and r.earlier]
        if earlier:
            self.session.execute(update(REGISTRATIONS).where(REGISTRATIONS.c.id == bindparam("_id"))
                                 .values(registered_on=bindparam("_day")), earlier)
        if self._new_trainings:
            insert_rows(self.session, TRAININGS, [{**t, "producer_id": pid(t["producer_id"]),
                                                   "team_member_id": mid(t["team_member_id"])}
                                                  for t in self._new_trainings])
            self._new_trainings = []
        self._flush_accounts()

    def _flush_accounts(self) -> None:
        pid, mid = self.households.real_id, self.members.real_id
        fields = ("name", "marketplace", "shop_id", "login_phone", "opened_on", "status")
        new = [{**{f: a[f] for f in fields}, "producer_id": pid(a["producer_id"]),
                "onboarded_by": mid(a["onboarded_by"]), "rules": {}}
               for a in self._accounts.values() if a["id"] is None]
        if new:
            insert_rows(self.session, ACCOUNTS, new, now=("created_at",))
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        for account in self._accounts.values():
            if account["id"] is not None and account["_changes"]:
                changes = account["_changes"]
                values = {f"v_{k}": v for k, v in changes.items()}
                groups[tuple(sorted(changes))].append({"_id": account["id"], **values})
                account["_changes"] = {}
        for keys, rows in groups.items():
            self.session.execute(update(ACCOUNTS).where(ACCOUNTS.c.id == bindparam("_id"))
                                 .values({k: bindparam(f"v_{k}") for k in keys}), rows)
