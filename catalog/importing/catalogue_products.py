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

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlmodel import Session

from catalog.categories import Category
from catalog.importing.bulk import insert_columns
from catalog.importing.problems import ProblemLog
from catalog.importing.table import ParsedRow
from catalog.products import Product
from catalog.text import fold, fold_many

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


class _Plan:
    """How a row's converted values become the stored content fields (worked out once per import):
    the file field each stored field comes from, and where defaults, the net quantity and the
    category code go."""

    def __init__(self, fields: tuple[str, ...]) -> None:
        source = {"category_code": "category"}
        self.keys = tuple(source.get(f, f) for f in fields)
        self.defaults = tuple((fields.index(f), default) for f, default in DEFAULTS.items() if f in fields)
        self.qty = fields.index("net_qty") if "net_qty" in fields else -1
        self.qty_unit = fields.index("net_unit") if "net_unit" in fields else -1
        self.category = fields.index("category_code") if "category_code" in fields else -1
        self.name = fields.index("name") if "name" in fields else -1
        self.constants = {f: v for f, v in DEFAULTS.items() if f not in fields}
        self.insert_keys = ("producer_id", "sku", "stock", "name_key", *fields)
        self.update_keys = tuple(f"v_{f}" for f in fields)


_Existing = tuple[Any, ...]
"""A stored product: (id, producer id, SKU, stock, then from :data:`STORED_AT` on the content fields
in the order of ``ProductBook.fields``); Decimals compare by value, so ``500.000`` equals ``500``."""
STORED_AT = 4
_ID, _STOCK = 0, 3
_PRODUCER = itemgetter(1)


def _as_decimals(rows: list[Any], at: int, column_type: Any, dialect: Any, type_code: Any) -> list[Any]:
    """Column ``at`` as SQLAlchemy returns a Numeric (SQLite stores a float: Decimal("%.3f")), once
    per distinct value; a column of whole numbers (``500`` g) compares equal as it is."""
    process = column_type.dialect_impl(dialect).result_processor(dialect, type_code)
    distinct = {row[at] for row in rows}
    if process is None or all(v is None or type(v) is int for v in distinct):
        return rows
    converted = {v: None if v is None else process(v) for v in distinct}
    return [(*row[:at], converted[row[at]], *row[at + 1:]) for row in rows]


def load_stored(session: Session, fields: tuple[str, ...]) -> list[_Existing]:
    """Every stored product as (id, producer id, SKU, stock, *fields), in one query through the driver
    (plain tuples: a SQLAlchemy row per product costs more than the query)."""
    table = PRODUCT_TABLE
    query = select(table.c.id, table.c.producer_id, table.c.sku, table.c.stock, *(table.c[f] for f in fields))
    connection = session.connection()
    cursor = connection.connection.cursor()
    try:
        cursor.execute(str(query.compile(dialect=connection.dialect)))
        rows: list[Any] = list(cursor.fetchall())
        types = [d[1] for d in cursor.description or ()]
    finally:
        cursor.close()
    for i, name in enumerate(fields, start=STORED_AT):
        if name == "net_qty" and rows:
            rows = _as_decimals(rows, i, table.c[name].type, connection.dialect, types[i])
    return rows


@dataclass
class StoredProducts:
    """Every stored product with all content fields, read before the file's columns are known (while
    a workbook is parsed in the background); :meth:`project` keeps the fields an import compares."""

    rows: list[_Existing]

    @classmethod
    def load(cls, session: Session) -> StoredProducts:
        session.flush()
        return cls(load_stored(session, CONTENT_FIELDS))

    def project(self, fields: tuple[str, ...]) -> list[_Existing]:
        if fields == CONTENT_FIELDS:
            return list(self.rows)
        pick = itemgetter(_ID, 1, 2, _STOCK, *(STORED_AT + CONTENT_FIELDS.index(f) for f in fields))
        return list(map(pick, self.rows))


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
    _inserts: list[tuple[Any, ...]] = field(default_factory=list)  # _Plan.insert_keys, with the name as key
    _updates: list[dict[str, Any]] = field(default_factory=list)
    _stock: list[dict[str, Any]] = field(default_factory=list)
    _categories: CategoryIndex | None = None
    _row_plan: _Plan | None = None
    _by_producer: dict[int, dict[str, _Existing]] = field(default_factory=dict)
    _category_codes: dict[str, str] = field(default_factory=dict)  # category cell → its code (known ones)
    preloaded: StoredProducts | None = None

    def existing(self) -> dict[int, dict[str, _Existing]]:
        """(producer, SKU) → id, stock and content fields of every product (from :attr:`preloaded`
        when the import read them while the workbook was being parsed)."""
        if self._existing is None:
            if self.preloaded is not None:
                rows = self.preloaded.project(self.fields)
            else:
                self.session.flush()
                rows = load_stored(self.session, self.fields)
            rows.sort(key=_PRODUCER)
            self._existing = {pid: {row[2]: row for row in group} for pid, group in groupby(rows, _PRODUCER)}
        return self._existing

    def category(self, text: str) -> str | None:
        if self._categories is None:
            self._categories = CategoryIndex.load(self.session)
        return self._categories.resolve(text)

    def _plan(self) -> _Plan:
        if self._row_plan is None:
            self._row_plan = _Plan(self.fields)
        return self._row_plan

    def add(self, parsed: ParsedRow, pid: int) -> bool:
        """Stage one row; ``False`` (logged) when the row is rejected."""
        values = parsed.values
        sku: str = values["sku"]
        seen = self._seen.get(pid)
        if seen is None:
            seen = self._seen[pid] = {}
        first = seen.get(sku)
        if first is not None:
            self.log.error("import.sku_repeated", sheet=self.sheet, row=parsed.row, column=self.columns.get("sku"),
                           value=sku, first_row=first)
            return False
        seen[sku] = parsed.row
        plan = self._row_plan or self._plan()
        # the stored content fields of the row, in the order of ``fields``
        stored = list(map(values.get, plan.keys))
        for i, default in plan.defaults:
            if stored[i] is None:
                stored[i] = default
        if plan.qty >= 0 and (quantity := stored[plan.qty]) is not None:
            stored[plan.qty], unit = quantity
            if plan.qty_unit >= 0:
                stored[plan.qty_unit] = stored[plan.qty_unit] or unit
        category = values.get("category")
        if category is not None:
            code = self._category_codes.get(category)
            if code is None:
                code = self.category(category)
                if code is None:
                    self.log.error("category.unknown", sheet=self.sheet, row=parsed.row,
                                   column=self.columns.get("category"), value=category)
                    return False
                self._category_codes[category] = code
            if plan.category >= 0:
                stored[plan.category] = code
        elif plan.category >= 0:
            stored[plan.category] = None
        current = None
        if pid > 0:
            by_sku = self._by_producer.get(pid)
            if by_sku is None:
                by_sku = self._by_producer[pid] = self.existing().get(pid, {})
            current = by_sku.get(sku)
        if current is None:
            name = stored[plan.name] if plan.name >= 0 else values["name"]  # folded in bulk by flush
            self._inserts.append((pid, sku, values.get("stock", 0), name, *stored))
            return True
        if self.keep_ids:
            self.ids[(pid, sku)] = current[_ID]
        changed = tuple(stored) != current[STORED_AT:]
        if changed:
            update_row = {"_id": current[_ID], **dict(zip(plan.update_keys, stored, strict=True))}
            if plan.name >= 0:
                update_row["v_name_key"] = fold(stored[plan.name])
            self._updates.append(update_row)
        stock = values.get("stock")
        if self.set_stock and stock is not None and stock != current[_STOCK]:
            self._stock.append({"_id": current[_ID], "v_stock": stock})
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

    def flush(self, real_id: Any) -> None:
        """Write the staged rows: one INSERT and at most two UPDATE executemany calls."""
        if self._inserts:
            plan = self._plan()
            columns: list[Sequence[Any]] = list(zip(*self._inserts, strict=True))
            real = {pid: real_id(pid) for pid in set(columns[0]) if pid < 0}  # new producers' temporary ids
            producers = columns[0] = list(map(real.get, columns[0], columns[0])) if real else columns[0]
            columns[3] = fold_many(columns[3])  # the names become their name_key
            insert_columns(self.session, PRODUCT_TABLE, dict(zip(plan.insert_keys, columns, strict=True)),
                           constants=plan.constants, now=("created_at", "updated_at"))
            if self.keep_ids:
                self._new_ids(set(zip(producers, columns[1], strict=True)))
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
            found = current[_ID]
        return found

    def products_with_sku(self, sku: str) -> list[int]:
        """Ids of every product (of any producer) with this SKU, in the database or this file."""
        found = {current[_ID] for by_sku in self.existing().values() if (current := by_sku.get(sku)) is not None}
        found |= {pid for (_, s), pid in self.ids.items() if s == sku}
        return sorted(found)

