"""OCOP certifications of an import, upserted by (product, decision number).

A certification row names its product by SKU (and producer, when SKUs repeat across
producers).  The stars belong to the certification, never to the product; the validity
defaults to 36 months from the decision date (Decision 148/QĐ-TTg).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlmodel import Session

from catalog.importing.problems import ProblemLog
from catalog.ocop import OcopCertification, default_valid_until
from catalog.text import fold

CERT_TABLE = OcopCertification.__table__  # type: ignore[attr-defined]
CERT_FIELDS = ("stars", "score", "decision_no", "decision_date", "issuing_level", "valid_until", "status")


def has_certification(values: dict[str, Any]) -> bool:
    return any(values.get(f) is not None for f in ("stars", "decision_no", "decision_date"))


@dataclass
class CertBook:
    session: Session
    log: ProblemLog
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    _existing: dict[tuple[int, str], dict[str, Any]] | None = None
    _seen: dict[tuple[int, str], int] = field(default_factory=dict)
    _inserts: list[dict[str, Any]] = field(default_factory=list)
    _updates: list[dict[str, Any]] = field(default_factory=list)

    def existing(self) -> dict[tuple[int, str], dict[str, Any]]:
        if self._existing is None:
            rows = self.session.execute(select(CERT_TABLE.c.id, CERT_TABLE.c.product_id,
                                               *(CERT_TABLE.c[f] for f in CERT_FIELDS))).mappings()
            self._existing = {(r["product_id"], _key(r["decision_no"], r["decision_date"], r["stars"])): dict(r)
                              for r in rows}
        return self._existing

    def check(self, values: dict[str, Any], *, sheet: str, row: int, columns: dict[str, str]) -> dict[str, Any] | None:
        """The certification a row describes, or ``None`` (logged) when it is incomplete."""
        stars, number, day = values.get("stars"), values.get("decision_no"), values.get("decision_date")
        if stars is None or number is None or day is None:
            missing = "stars" if stars is None else "decision_no" if number is None else "decision_date"
            code = "stars.invalid" if stars is None else "import.decision_missing"
            self.log.error(code, sheet=sheet, row=row, column=columns.get(missing), value=None)
            return None
        valid_until: date = values.get("valid_until") or default_valid_until(day)
        if valid_until <= day:
            self.log.error("import.valid_until_early", sheet=sheet, row=row, column=columns.get("valid_until"),
                           value=valid_until.strftime("%d/%m/%Y"))
            return None
        return {"stars": stars, "score": values.get("score"), "decision_no": number, "decision_date": day,
                "issuing_level": values.get("issuing_level"), "valid_until": valid_until,
                "status": values.get("cert_status") or "active"}

    def stage(self, product_id: int, wanted: dict[str, Any]) -> None:
        key = (product_id, _key(wanted["decision_no"], wanted["decision_date"], wanted["stars"]))
        if key in self._seen:
            return  # the same certification on several rows of a product (single-sheet files)
        self._seen[key] = 1
        current = self.existing().get(key)
        if current is None:
            self._inserts.append({"product_id": product_id, **wanted})
            self.created += 1
        elif any(current[f] != v for f, v in wanted.items()):
            self._updates.append({"_id": current["id"], **{f"v_{k}": v for k, v in wanted.items()}})
            self.updated += 1
        else:
            self.unchanged += 1

    def flush(self) -> None:
        if self._inserts:
            self.session.execute(insert(CERT_TABLE), self._inserts)
        if self._updates:
            statement = (update(CERT_TABLE).where(CERT_TABLE.c.id == bindparam("_id"))
                         .values({f: bindparam(f"v_{f}") for f in CERT_FIELDS}))
            self.session.execute(statement, self._updates)
        self._inserts, self._updates = [], []


def _key(number: str | None, day: date, stars: int) -> str:
    return fold(number) if number else f"{day.isoformat()}:{stars}"
