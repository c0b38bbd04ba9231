"""Products of an import: upserted by (producer, SKU) in bulk.

Existing products are indexed once (id, stock, and the content fields the file carries), so
each row costs a dict look-up: an unchanged row writes nothing, a changed one joins one
``UPDATE … executemany`` that bumps its content version, a new one joins one ``INSERT``
executemany (through the driver, :mod:`.bulk`).  Stock comes from the file only for new
products, or for every product with ``set_stock`` (once sales move stock, last week's file must
not bring it back).
Columns absent from the file are left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlmodel import Session

from catalog.categories import Category
from catalog.importing.bulk import insert_rows
from catalog.importing.problems import ProblemLog
from catalog.importing.table import ParsedRow
from catalog.products import Product
from catalog.text import fold

PRODUCT_TABLE = Product.__table__  # type: ignore[attr-defined]
CONTENT_FIELDS = ("name", "description", "category_code", "unit", "net_qty", "net_unit", "price", "weight_g",
                  "length_mm", "width_mm", "height_mm", "barcode", "shelf_life_days", "status")
_FILE_FIELDS = {"category": ("category_code",), "net_qty": ("net_qty", "net_unit"), "net_unit": ("net_unit",)}
DEFAULTS: dict[str, Any] = {"unit": "gói", "status": "active"}
_ID_CHUNK = 900  # producers per "WHERE producer_id IN (…)" look-up of new product ids


def content_fields(present: frozenset[str]) -> tuple[str, ...]:
    """The stored content fields an import with these file columns sets."""
    stored = {s for f in present for s in _FILE_FIELDS.get(f, (f,))}
    return tuple(f for f in CONTENT_FIELDS if f in stored)


@dataclass
class CategoryIndex:
    by_key: dict[str, str | None] = field(default_factory=dict)  # None: ambiguous
    _memo: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> CategoryIndex:
        index = cls()
        for category in session.execute(select(Category)).scalars():
            keys = {category.code, fold(category.name), fold(category.name_en),
                    *(fold(a) for a in category.aliases.split("|") if a)}
            for key in keys:
                known = index.by_key.get(key, category.code)
                index.by_key[key] = category.code if known == category.code else None
        return index

    def resolve(self, text: str) -> str | None:
        if text in self._memo:
            return self._memo[text]
        found = self._memo[text] = self._resolve(text)
        return found

    def _resolve(self, text: str) -> str | None:
        raw = text.strip()
        head = raw.split(" ", 1)[0].rstrip(".-:")
        for key in (raw, head, fold(raw), fold(raw.split("-", 1)[-1])):
            if key in self.by_key and self.by_key[key] is not None:
                return self.by_key[key]
        return None


@dataclass
class _Existing:
    id: int
    stock: int
    values: tuple[Any, ...]  # the stored content fields, in the order of ``ProductBook.fields``


@dataclass
class ProductBook:
    session: Session
    log: ProblemLog
    sheet: str
    columns: dict[str, str]
    fields: tuple[str, ...]
    set_stock: bool = False
    keep_ids: bool = False  # remember every product's id (images and certifications need them)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    ids: dict[tuple[int, str], int] = field(default_factory=dict)
    _existing: dict[int, dict[str, _Existing]] | None = None
    _seen: dict[int, dict[str, int]] = field(default_factory=dict)
    _inserts: list[dict[str, Any]] = field(default_factory=list)
    _updates: list[dict[str, Any]] = field(default_factory=list)
    _stock: list[dict[str, Any]] = field(default_factory=list)
    _categories: CategoryIndex | None = None

    def existing(self) -> dict[int, dict[str, _Existing]]:
        """(producer, SKU) → id, stock and content fields of every product, loaded with one query."""
        if self._existing is None:
            table = PRODUCT_TABLE
            query = select(table.c.id, table.c.producer_id, table.c.sku, table.c.stock,
                           *(table.c[f] for f in self.fields))
            index: dict[int, dict[str, _Existing]] = {}
            decimals = [i for i, f in enumerate(self.fields) if f == "net_qty"]  # the one Numeric field
            for row in self.session.execute(query):
                by_sku = index.get(row[1])
                if by_sku is None:
                    by_sku = index[row[1]] = {}
                values = tuple(row[4:])
                if decimals:
                    values = _normal(values, decimals)
                by_sku[row[2]] = _Existing(row[0], row[3], values)
            self._existing = index
        return self._existing

    def category(self, text: str) -> str | None:
        if self._categories is None:
            self._categories = CategoryIndex.load(self.session)
        return self._categories.resolve(text)

    def add(self, parsed: ParsedRow, pid: int) -> bool:
        """Stage one row; ``False`` (logged) when the row is rejected."""
        values, row = parsed.values, parsed.row
        sku: str = values["sku"]
        seen = self._seen.setdefault(pid, {})
        first = seen.get(sku)
        if first is not None:
            self.log.error("import.sku_repeated", sheet=self.sheet, row=row, column=self.columns.get("sku"),
                           value=sku, first_row=first)
            return False
        seen[sku] = row
        stored = self._stored(values, row)
        if stored is None:
            return False
        current = self.existing().get(pid, {}).get(sku) if pid > 0 else None
        if current is None:
            self._inserts.append({"producer_id": pid, "sku": sku, **DEFAULTS, "stock": values.get("stock", 0),
                                  **stored, "name_key": fold(stored["name"])})
            return True
        if self.keep_ids:
            self.ids[(pid, sku)] = current.id
        changed = tuple(stored[f] for f in self.fields) != current.values
        if changed:
            update_row = {"_id": current.id, **{f"v_{k}": v for k, v in stored.items()}}
            if "name" in stored:
                update_row["v_name_key"] = fold(stored["name"])
            self._updates.append(update_row)
        stock = values.get("stock")
        if self.set_stock and stock is not None and stock != current.stock:
            self._stock.append({"_id": current.id, "v_stock": stock})
            changed = True
        if changed:
            self.updated += 1
        else:
            self.unchanged += 1
        return True

    def mark_unchanged(self, pid: int, sku: str, row: int) -> bool:
        """Count a row found identical to its stored product without converting it (see
        :mod:`.catalogue_unchanged`); ``False`` when the SKU was already seen in this file."""
        seen = self._seen.setdefault(pid, {})
        if sku in seen:
            return False
        seen[sku] = row
        self.unchanged += 1
        return True

    def _stored(self, values: dict[str, Any], row: int) -> dict[str, Any] | None:
        stored = dict(zip(self.fields, map(values.get, self.fields), strict=True))
        if stored.get("unit", "") is None:
            stored["unit"] = DEFAULTS["unit"]
        if stored.get("status", "") is None:
            stored["status"] = DEFAULTS["status"]
        if "net_qty" in values:
            qty, unit = values["net_qty"]
            stored["net_qty"] = qty
            stored["net_unit"] = values.get("net_unit") or unit
        if values.get("category") is not None:
            code = self.category(values["category"])
            if code is None:
                self.log.error("category.unknown", sheet=self.sheet, row=row, column=self.columns.get("category"),
                               value=values["category"])
                return None
            stored["category_code"] = code
        return stored

    def flush(self, real_id: Any) -> None:
        """Write the staged rows: one INSERT and at most two UPDATE executemany calls."""
        if self._inserts:
            for data in self._inserts:
                data["producer_id"] = real_id(data["producer_id"])
            insert_rows(self.session, PRODUCT_TABLE, self._inserts, now=("created_at", "updated_at"))
            if self.keep_ids:
                self._new_ids({(data["producer_id"], data["sku"]) for data in self._inserts})
            self.created += len(self._inserts)
        if self._updates:
            keys = [k for k in self._updates[0] if k != "_id"]
            change = (update(PRODUCT_TABLE).where(PRODUCT_TABLE.c.id == bindparam("_id"))
                      .values({**{k[2:]: bindparam(k) for k in keys},
                               "content_version": PRODUCT_TABLE.c.content_version + 1, "updated_at": func.now()}))
            self.session.execute(change, self._updates)
        if self._stock:
            restock = (update(PRODUCT_TABLE).where(PRODUCT_TABLE.c.id == bindparam("_id"))
                       .values(stock=bindparam("v_stock"), stock_version=PRODUCT_TABLE.c.stock_version + 1,
                               updated_at=func.now()))
            self.session.execute(restock, self._stock)
        self._inserts, self._updates, self._stock = [], [], []

    def _new_ids(self, wanted: set[tuple[int, str]]) -> None:
        """Ids of the rows just inserted, by (producer, SKU): no RETURNING, which SQLAlchemy sends
        row by row on SQLite."""
        table = PRODUCT_TABLE
        producers = sorted({pid for pid, _ in wanted})
        for start in range(0, len(producers), _ID_CHUNK):
            query = select(table.c.id, table.c.producer_id, table.c.sku).where(
                table.c.producer_id.in_(producers[start:start + _ID_CHUNK]))
            for new_id, pid, sku in self.session.execute(query):
                if (pid, sku) in wanted:
                    self.ids[(pid, sku)] = new_id

    def product_id(self, pid: int, sku: str) -> int | None:
        """The id of a product of this file or of the database (``pid`` a real producer id)."""
        found = self.ids.get((pid, sku))
        if found is None and (current := self.existing().get(pid, {}).get(sku)) is not None:
            found = current.id
        return found

    def products_with_sku(self, sku: str) -> list[int]:
        """Ids of every product (of any producer) with this SKU, in the database or this file."""
        found = {current.id for by_sku in self.existing().values() if (current := by_sku.get(sku)) is not None}
        found |= {pid for (_, s), pid in self.ids.items() if s == sku}
        return sorted(found)


def _normal(values: tuple[Any, ...], decimals: list[int]) -> tuple[Any, ...]:
    """DB values in the form the file's converters produce (Decimal without trailing zeros)."""
    out = list(values)
    for i in decimals:
        if isinstance(out[i], Decimal):
            out[i] = out[i].normalize()
    return tuple(out)
