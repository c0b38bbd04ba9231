"""Administrative units named in import rows, resolved once per distinct spelling.

A commune cell may hold a vn2025 name or code, or an old vn2004 one (support staff often still
write the old commune); an old commune is carried to its vn2025 successor through the lineage
table.  A name shared by communes of several provinces is narrowed by the row's district or
province, and otherwise by the home provinces (Thái Nguyên 19 and the former Bắc Kạn 06).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from catalog.admin_units import AdminUnit, UnitLineage, bare_key, get_unit, resolve_unit
from catalog.errors import CatalogueValidationError

_CODE_SUFFIX = re.compile(r"\((\d{5})\)\s*$")
HOME_PROVINCES_2025 = ("19",)
HOME_PROVINCES_2004 = ("06", "19")


@dataclass
class ResolvedUnits:
    vn2025: str | None
    vn2004: str | None


@dataclass
class UnitResolver:
    session: Session
    _cache: dict[tuple[str | None, ...], ResolvedUnits | CatalogueValidationError] = field(default_factory=dict)
    # what the queries answered, remembered for the next commune: (name key, scheme) → commune-level
    # (code, parent code); district text → code; (province text, scheme) → code; old → new code
    _named: dict[tuple[str, str], list[tuple[str, str | None]]] = field(default_factory=dict)
    _districts: dict[str, str | None] = field(default_factory=dict)
    _provinces: dict[tuple[str, str], str | None] = field(default_factory=dict)
    _successors: dict[str, str | None] = field(default_factory=dict)

    def resolve(self, *, commune: str | None, commune_old: str | None, district: str | None = None,
                province: str | None = None) -> ResolvedUnits:
        """The units of a row; an error names its column in ``params["field"]``."""
        key = (commune, commune_old, district, province)
        hit = self._cache.get(key)
        if hit is None:
            try:
                hit = self._resolve(commune, commune_old, district, province)
            except CatalogueValidationError as error:
                hit = error
            self._cache[key] = hit
        if isinstance(hit, CatalogueValidationError):
            raise hit
        return hit

    def _resolve(self, commune: str | None, old: str | None, district: str | None,
                 province: str | None) -> ResolvedUnits:
        vn2004 = self._one(old, "vn2004", district, province, field_name="commune_old") if old else None
        vn2025: str | None = None
        if commune:
            try:
                vn2025 = self._one(commune, "vn2025", None, province, field_name="commune")
            except CatalogueValidationError as error:
                # an old commune written in the commune column: carry it to its successor
                try:
                    vn2004 = vn2004 or self._one(commune, "vn2004", district, province, field_name="commune")
                except CatalogueValidationError:
                    raise error from None
        if vn2025 is None and vn2004 is not None:
            vn2025 = self.successor(vn2004)
        return ResolvedUnits(vn2025=vn2025, vn2004=vn2004)

    def _one(self, value: str, scheme: str, district: str | None, province: str | None, *,
             field_name: str) -> str:
        coded = _CODE_SUFFIX.search(value)
        if coded:  # "Xã Na Rì (02155)", as our export writes it: the code decides
            value = coded.group(1)
        within = self._district_code(district) if district and scheme == "vn2004" else None
        if within is None and province:
            within = self._province_code(province, scheme)
        try:
            return self._unit_code(value, scheme, within)
        except CatalogueValidationError as error:
            if error.code != "admin_unit.ambiguous" or within is not None:
                raise _tagged(error, field_name) from None
            for home in (HOME_PROVINCES_2025 if scheme == "vn2025" else HOME_PROVINCES_2004):
                try:
                    return self._unit_code(value, scheme, home)
                except CatalogueValidationError:
                    continue
            raise _tagged(error, field_name) from None

    def _unit_code(self, value: str, scheme: str, within: str | None) -> str:
        """``resolve_unit(...).code``, answering a name that one unit carries from the remembered
        candidates (one query per distinct name and scheme); anything else is left to ``resolve_unit``."""
        raw = value.strip()
        if not raw.isdigit():
            key = (bare_key(raw), scheme)
            found = self._named.get(key)
            if found is None:
                found = self._named[key] = [
                    (code, parent) for code, parent in self.session.execute(
                        select(AdminUnit.code, AdminUnit.parent_code).where(
                            AdminUnit.scheme == scheme, AdminUnit.name_key == key[0]))
                    if len(code) == 5]
            if within:
                found = [(code, parent) for code, parent in found
                         if parent == within or self._in_province(scheme, parent, within)]
            if len(found) == 1:
                return found[0][0]
        return resolve_unit(session=self.session, value=value, scheme=scheme, within=within).code  # type: ignore[arg-type]

    def _in_province(self, scheme: str, parent: str | None, province: str) -> bool:
        if scheme == "vn2025":
            return parent == province
        district = get_unit(session=self.session, scheme="vn2004", code=parent or "")
        return district is not None and district.parent_code == province

    def successor(self, old_code: str) -> str | None:
        if old_code not in self._successors:
            self._successors[old_code] = self._successor(old_code)
        return self._successors[old_code]

    def _successor(self, old_code: str) -> str | None:
        rows = self.session.exec(select(UnitLineage.new_code, UnitLineage.partly).where(
            UnitLineage.old_code == old_code).order_by(col(UnitLineage.partly))).all()
        return rows[0][0] if rows else None

    def _district_code(self, text: str) -> str | None:
        if text not in self._districts:
            self._districts[text] = self._find_district(text)
        return self._districts[text]

    def _find_district(self, text: str) -> str | None:
        raw = text.strip()
        if raw.isdigit():
            return raw.zfill(3)
        codes = self.session.exec(select(AdminUnit.code).where(
            AdminUnit.scheme == "vn2004", AdminUnit.name_key == bare_key(raw))).all()
        districts = [c for c in codes if len(c) == 3]
        return districts[0] if len(districts) == 1 else None

    def _province_code(self, text: str, scheme: str) -> str | None:
        if (text, scheme) not in self._provinces:
            self._provinces[(text, scheme)] = self._find_province(text, scheme)
        return self._provinces[(text, scheme)]

    def _find_province(self, text: str, scheme: str) -> str | None:
        raw = text.strip()
        if raw.isdigit():
            return raw.zfill(2)
        codes = self.session.exec(select(AdminUnit.code).where(
            AdminUnit.scheme == scheme, AdminUnit.name_key == bare_key(raw))).all()
        provinces = [c for c in codes if len(c) == 2]
        return provinces[0] if len(provinces) == 1 else None


def _tagged(error: CatalogueValidationError, field_name: str) -> CatalogueValidationError:
    error.params["field"] = field_name
    return error
