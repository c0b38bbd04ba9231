"""The catalogue import: producers, products, OCOP certifications and images from one file.

A workbook in the template's layout has the sheets "Hộ sản xuất", "Sản phẩm" and "Chứng nhận
OCOP"; a single sheet (or a CSV) with producer and product columns side by side, one row per
product, works too.  Everything happens in one transaction: ``keep-valid`` (the default)
writes every valid row and reports the others; ``all-or-nothing`` writes nothing when any row
is wrong; ``dry_run`` computes everything and writes nothing.  One audit entry records the
batch.

    result = import_catalogue(session=session, path=Path("catalogue.xlsx"), images=Path("photos.zip"))
    result.counts["products"].created, result.problems, result.write_report(Path("report.xlsx"))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session

from catalog.audit import record_change
from catalog.errors import CatalogueValidationError
from catalog.image_store import ImageStore
from catalog.importing import convert as cv
from catalog.importing.catalogue_columns import CERT_COLUMNS, COMBINED_COLUMNS, PRODUCER_COLUMNS, SHEET_ALIASES
from catalog.importing.catalogue_images import ImageBook, open_image_source
from catalog.importing.catalogue_ocop import CertBook, has_certification
from catalog.importing.catalogue_producers import ROW_FIELDS as PRODUCER_ROW_FIELDS
from catalog.importing.catalogue_producers import ProducerBook
from catalog.importing.catalogue_products import ProductBook, StoredProducts, content_fields
from catalog.importing.catalogue_unchanged import UnchangedRows
from catalog.importing.fingerprint import Fingerprint, ImportFingerprint, repeat_result
from catalog.importing.problems import Problem, ProblemLog
from catalog.importing.readers import Book, Sheet, open_book
from catalog.importing.report import REPORT_SHEET
from catalog.importing.result import Counts, ImportResult, SheetLayout
from catalog.importing.table import ColumnSpec, Table, read_table
from catalog.importing.units import UnitResolver
from catalog.text import fold

MODES = ("keep-valid", "all-or-nothing")
BATCH_ROWS = 5_000
Progress = Callable[[str, int, int | None], None]
"""``progress(stage, rows_done, rows_total_or_None)``; the CLI draws it as a Rich progress bar."""
_PRODUCER_DETAIL = ("producer_name", "kind", "representative", "phone", "registration_code", "address",
                    "commune", "commune_old")


def import_catalogue(
    *,
    session: Session,
    path: Path,
    images: Path | None = None,
    mode: str = "keep-valid",
    dry_run: bool = False,
    set_stock: bool = False,
    lang: str = "vi",
    progress: Progress | None = None,
    actor: str = "import",
    commit: bool = True,
    fetch_url: Callable[[str], bytes] | None = None,
    media: ImageStore | None = None,
    media_root: Path | None = None,
    recheck: bool = False,
) -> ImportResult:
    """Import a catalogue file; see the module docstring.  The session must have no pending work.

    ``commit`` commits the import's transaction (``False`` leaves it flushed for the caller);
    ``media`` (or ``media_root``, its folder) is the image store for the originals (default:
    ``$AGRI_DATA_DIR/media``);
    ``fetch_url`` replaces the guarded HTTP fetch of image URLs (tests);
    ``recheck`` compares every row even when the same file was imported on the same catalogue before.
    """
    if mode not in MODES:
        raise CatalogueValidationError("import.mode_unknown", value=mode)
    result = ImportResult(path=Path(path), mode=mode, dry_run=dry_run, lang=lang)
    fingerprint = Fingerprint.of(Path(path)) if images is None and not set_stock else None
    if fingerprint is not None:
        earlier = None if recheck else fingerprint.same_as(session)
        if earlier is not None:
            return _repeat(result, earlier, session=session, actor=actor, commit=commit)
        if not dry_run:
            fingerprint.start(session)
    if media is None and media_root is not None:
        media = ImageStore(Path(media_root))
    log = ProblemLog()
    run = _Run(session=session, log=log, result=result, set_stock=set_stock, progress=progress)
    try:
        with open_image_source(images, log) as source, open_book(Path(path)) as book:
            run.images = ImageBook(session=session, log=log, source=source, fetch_url=fetch_url, media=media,
                                   lang=lang)
            run.execute(book)
    except CatalogueValidationError as error:  # the file (or image archive) as a whole is unusable
        session.rollback()
        log.add(Problem.from_error(error, sheet=None, row=None, column=None))
        result.problems = log.problems
        result.counts = {k: Counts() for k in ("producers", "products", "certifications", "images")}
        return result
    except BaseException:
        session.rollback()
        raise
    finally:
        if run.images is not None:
            run.images.close()
    _finish(run, session=session, actor=actor, commit=commit, fingerprint=fingerprint)
    return result


def _repeat(result: ImportResult, earlier: ImportFingerprint, *, session: Session, actor: str,
            commit: bool) -> ImportResult:
    """The same bytes on the same catalogue: every row unchanged, recorded in the audit trail."""
    repeat_result(result, earlier)
    if result.dry_run:
        session.rollback()
        return result
    record_change(session=session, actor=actor, entity="catalogue_import", entity_id=result.path.name[:80],
                  action="import", after={**_audit_summary(result), "same_file_as": earlier.imported_at.isoformat()})
    if commit:
        session.commit()
    else:
        session.flush()
    result.committed = True
    return result


def _finish(run: _Run, *, session: Session, actor: str, commit: bool, fingerprint: Fingerprint | None) -> None:
    result, log = run.result, run.log
    result.counts = run.counts()
    assert run.producers is not None
    result.merge_candidates = list(run.producers.merge_candidates)
    if result.rows_read == 0 and not log.file_errors:
        log.error("import.no_sheets", sheet=None, row=None,
                  columns=", ".join(f"'{s.header}'" for s in COMBINED_COLUMNS if s.required))
    if result.mode == "all-or-nothing" and log.errors:
        session.rollback()
        log.error("import.all_or_nothing", sheet=None, row=None, count=sum(len(r) for r in log.rejected.values())
                  or len(log.errors))
        result.counts = {k: Counts(rejected=c.rejected) for k, c in result.counts.items()}
    elif result.dry_run:
        session.rollback()
    else:
        assert run.images is not None
        run.images.store()
        record_change(session=session, actor=actor, entity="catalogue_import", entity_id=result.path.name[:80],
                      action="import", after=_audit_summary(result))
        if fingerprint is not None and not log.problems and not result.merge_candidates and not run.read_images:
            fingerprint.remember(session, result)
        if commit:
            session.commit()
        else:
            session.flush()
        result.committed = True
    result.problems = log.problems


def _audit_summary(result: ImportResult) -> dict[str, Any]:
    out: dict[str, Any] = {"file": result.path.name, "mode": result.mode, "rows": result.rows_read,
                           "errors": len(result.errors)}
    for entity, counts in result.counts.items():
        out.update({f"{entity}_{k}": v for k, v in counts.to_dict().items()})
    return out


def sheet_role(name: str) -> str | None:
    """producers | products | certifications | report (ours, skipped) | None (unknown)."""
    key = fold(name)
    if key == fold(REPORT_SHEET):
        return "report"
    for role, aliases in SHEET_ALIASES.items():
        if key in {fold(a) for a in aliases}:
            return role
    return None


@dataclass
class _Run:
    session: Session
    log: ProblemLog
    result: ImportResult
    set_stock: bool
    progress: Progress | None
    images: ImageBook | None = None
    read_images: bool = False  # a sheet has a photo column (its URLs may change): not fingerprinted
    preloaded: StoredProducts | None = None
    producers: ProducerBook | None = None
    products: ProductBook | None = None
    certs: CertBook | None = None
    _cert_rows: set[tuple[str, int]] = field(default_factory=set)
    _pending_certs: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)

    def execute(self, book: Book) -> None:
        roles = {name: sheet_role(name) for name in book.sheet_names}
        known = any(roles.values())
        producer_sheets = [n for n, r in roles.items() if r == "producers"]
        guessing = [n for n, r in roles.items() if r is None and not known]  # no known sheet name: try each
        product_sheets = [n for n, r in roles.items() if r == "products"] + guessing
        if producer_sheets or product_sheets:  # a workbook's first sheet is parsed (without the GIL) meanwhile
            book.prefetch((producer_sheets or product_sheets)[0])
        self.producers = ProducerBook(session=self.session, log=self.log, units=UnitResolver(self.session))
        self.producers.load()
        self.certs = CertBook(session=self.session, log=self.log)
        if book.kind != "csv" and not producer_sheets and product_sheets:
            self.preloaded = StoredProducts.load(self.session)  # while the product sheet is being parsed
        for name in producer_sheets:
            self._producer_sheet(book.sheet(name))
        self.producers.flush()
        defining = "producers" not in roles.values()
        for name in product_sheets:
            self._product_sheet(book.sheet(name), defining=defining, optional=len(guessing) > 1)
        for name in [n for n, r in roles.items() if r == "certifications"]:
            self._cert_sheet(book.sheet(name))
        self._flush()
        assert self.images is not None
        self.images.apply(self.product_book().product_id, self.producers.real_id)

    def _table(self, sheet: Sheet, specs: list[ColumnSpec], optional: bool = False) -> Table | None:
        table = read_table(sheet, specs, log=self.log, optional=optional)
        if table is not None:
            self.result.layouts[sheet.name] = SheetLayout(sheet.name, table.header_row, table.positions,
                                                          table.columns)
        return table

    def _tick(self, stage: str, sheet: Sheet, done: int) -> None:
        if self.progress is not None and done % 1000 == 0:
            self.progress(stage, done, sheet.total)

    def _producer_sheet(self, sheet: Sheet) -> None:
        table = self._table(sheet, PRODUCER_COLUMNS)
        if table is None:
            return
        assert self.producers is not None
        for parsed in table.rows:
            self.result.rows_read += 1
            self._tick(sheet.name, sheet, parsed.row)
            if not parsed.ok:
                continue
            if "producer_name" not in parsed.values:
                self.log.error("value.required", sheet=sheet.name, row=parsed.row,
                               column=table.columns.get("producer_name", PRODUCER_COLUMNS[1].header))
                continue
            self.producers.from_row(parsed.values, sheet=sheet.name, row=parsed.row, columns=table.columns,
                                    defining=True)

    def product_book(self, table: Table | None = None) -> ProductBook:
        if self.products is None:
            fields = content_fields(table.fields_present) if table is not None else ()
            self.products = ProductBook(session=self.session, log=self.log, sheet=table.sheet if table else "",
                                        columns=table.columns if table else {}, fields=fields,
                                        set_stock=self.set_stock, keep_ids=True, preloaded=self.preloaded)
        return self.products

    def _product_sheet(self, sheet: Sheet, *, defining: bool, optional: bool = False) -> None:
        table = self._table(sheet, COMBINED_COLUMNS, optional)
        if table is None:
            return
        assert self.producers is not None
        assert self.images is not None
        assert self.certs is not None
        book = self.product_book(table)
        book.sheet, book.columns = sheet.name, table.columns
        book.keep_ids = self.images.active(table) or bool({"stars", "decision_no"} & table.fields_present)
        staged = 0
        row_defines = defining and any(f in table.fields_present for f in _PRODUCER_DETAIL)
        with_certs = bool({"stars", "decision_no", "decision_date"} & table.fields_present)
        with_images = self.images.active(table)
        self.read_images |= with_images
        shortcut = None
        if not (with_images or with_certs) and UnchangedRows.applies(table, book, set_stock=self.set_stock):
            shortcut = UnchangedRows(table, book, set_stock=self.set_stock)
            progress = self.progress
            table.set_shortcut(shortcut, None if progress is None else
                               lambda done: progress(sheet.name, done, sheet.total))
        # a producer is resolved once per distinct producer cells of this sheet (one row per product)
        producer_fields = [f for f in PRODUCER_ROW_FIELDS if f in table.fields_present]
        known_producers: dict[tuple[Any, ...], int] = {}
        for parsed in table.rows:
            self.result.rows_read += 1
            if self.progress is not None:
                self._tick(sheet.name, sheet, parsed.row)
            if not parsed.ok:
                self._more_problems(parsed.values, sheet=sheet.name, row=parsed.row, columns=table.columns)
            if not parsed.ok or parsed.known:
                continue
            values = parsed.values
            key = tuple(map(values.get, producer_fields))
            pid = known_producers.get(key)
            if pid is None:
                pid = self.producers.from_row(values, sheet=sheet.name, row=parsed.row, columns=table.columns,
                                              defining=row_defines)
                if pid is not None:
                    known_producers[key] = pid
            if shortcut is not None:
                shortcut.learn(pid)
            if type(values["price"]) is cv.PerUnit and not self._per_unit(values, sheet=sheet.name, row=parsed.row,
                                                                         columns=table.columns):
                continue
            cert = None
            if with_certs and pid is not None and has_certification(values):
                cert = self.certs.check(values, sheet=sheet.name, row=parsed.row, columns=table.columns)
                if cert is None:
                    continue
            if pid is None or not book.add(parsed, pid):
                continue
            if cert is not None:
                self._pending_certs.append((pid, values["sku"], cert))
            if with_images:
                self.images.stage(pid, values["sku"], values.get("images"), sheet=sheet.name, row=parsed.row,
                                  column=table.columns.get("images"))
            staged += 1
            if staged % BATCH_ROWS == 0:
                self._flush()
        self.result.rows_read += table.known_rows  # re-imported rows the shortcut took

    def _per_unit(self, values: dict[str, Any], *, sheet: str, row: int, columns: dict[str, str]) -> bool:
        """A price that named its unit ("60.000 đ/hộp"): it must agree with the unit column; a blank
        unit cell takes it.  ``False`` (logged) when they differ: which one is right is the user's call."""
        price: cv.PerUnit = values["price"]
        unit = values.get("unit")
        if unit is not None and unit != price.unit:
            self.log.error("price.unit_mismatch", sheet=sheet, row=row, column=columns.get("price"),
                           value=f"{int(price)}/{price.unit}", price_unit=price.unit, unit=unit)
            return False
        values["price"] = int(price)
        if unit is None:
            values["unit"] = price.unit
        return True

    def _more_problems(self, values: dict[str, Any], *, sheet: str, row: int, columns: dict[str, str]) -> None:
        """A row already rejected for a bad cell: also report its unknown commune or category, so
        staff fix the row once instead of upload after upload."""
        assert self.producers is not None
        place = {k: values.get(k) for k in ("commune", "commune_old", "district_old", "province")}
        if any(place.values()):
            try:
                self.producers.units.resolve(commune=place["commune"], commune_old=place["commune_old"],
                                             district=place["district_old"], province=place["province"])
            except CatalogueValidationError as error:
                column = columns.get(str(error.params.get("field", "commune")))
                self.log.add(Problem.from_error(error, sheet=sheet, row=row, column=column))
        category = values.get("category")
        if category and self.product_book().category(category) is None:
            self.log.error("category.unknown", sheet=sheet, row=row, column=columns.get("category"), value=category)

    def _cert_sheet(self, sheet: Sheet) -> None:
        table = self._table(sheet, CERT_COLUMNS)
        if table is None:
            return
        assert self.producers is not None
        assert self.certs is not None
        self.product_book().keep_ids = True
        self._flush()
        for parsed in table.rows:
            self.result.rows_read += 1
            self._cert_rows.add((sheet.name, parsed.row))
            if not parsed.ok:
                continue
            product_id = self._cert_product(parsed.values, sheet=sheet.name, row=parsed.row, columns=table.columns)
            if product_id is None:
                continue
            cert = self.certs.check(parsed.values, sheet=sheet.name, row=parsed.row, columns=table.columns)
            if cert is not None:
                self.certs.stage(product_id, cert)

    def _cert_product(self, values: dict[str, Any], *, sheet: str, row: int, columns: dict[str, str]) -> int | None:
        assert self.producers is not None
        book, sku = self.product_book(), values["sku"]
        candidates: list[int] = []
        if values.get("producer_code"):
            pid = self.producers.from_row({"producer_code": values["producer_code"]}, sheet=sheet, row=row,
                                          columns=columns, defining=False)
            if pid is None:
                return None
            found = book.product_id(self.producers.real_id(pid), sku)
            candidates = [found] if found is not None else []
        else:
            candidates = book.products_with_sku(sku)
        if len(candidates) != 1:
            self.log.error("import.product_unknown", sheet=sheet, row=row, column=columns.get("sku"), value=sku)
            return None
        return candidates[0]

    def _flush(self) -> None:
        assert self.producers is not None
        assert self.certs is not None
        self.producers.flush()
        if self.products is not None:
            self.products.flush(self.producers.real_id)
            for pid, sku, cert in self._pending_certs:
                product_id = self.products.product_id(self.producers.real_id(pid), sku)
                if product_id is not None:
                    self.certs.stage(product_id, cert)
        self._pending_certs = []
        self.certs.flush()

    def counts(self) -> dict[str, Counts]:
        assert self.producers is not None
        assert self.certs is not None
        assert self.images is not None
        rejected_rows: dict[str, int] = {}
        for name, rows in self.log.rejected.items():
            role = sheet_role(name) or "products"
            rejected_rows[role] = rejected_rows.get(role, 0) + len(rows)
        producer_counts = self.producers.counts()
        producers = Counts(producer_counts["created"], producer_counts["updated"], producer_counts["unchanged"],
                           producer_counts["rejected"] + rejected_rows.get("producers", 0))
        book = self.products
        products = Counts(book.created, book.updated, book.unchanged) if book else Counts()
        products.rejected = rejected_rows.get("products", 0)
        certs = Counts(self.certs.created, self.certs.updated, self.certs.unchanged,
                       rejected_rows.get("certifications", 0))
        return {"producers": producers, "products": products, "certifications": certs,
                "images": self.images.counts()}
