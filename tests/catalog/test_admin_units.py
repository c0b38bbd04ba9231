"""The administrative-unit data against the counts of its source (NSO lists as packaged in
vietnam-provinces 2026.9.0; see fixtures/admin_units/SOURCE.md) and the reference notes."""

import pytest
from sqlmodel import Session, func, select

from catalog.admin_units import AdminUnit, UnitLineage, find_units, resolve_unit
from catalog.errors import CatalogueValidationError

BAC_KAN_DISTRICTS = {"058", "060", "061", "062", "063", "064", "065", "066"}


def _count(session: Session, scheme: str, length: int, kind: str | None = None) -> int:
    query = select(func.count()).select_from(AdminUnit).where(
        AdminUnit.scheme == scheme, func.length(AdminUnit.code) == length)
    if kind:
        query = query.where(AdminUnit.kind == kind)
    return session.exec(query).one()


def test_counts_match_the_source(session: Session) -> None:
    assert _count(session, "vn2025", 2) == 34
    assert _count(session, "vn2025", 5) == 3321
    assert _count(session, "vn2025", 5, "xã") == 2621
    assert _count(session, "vn2025", 5, "phường") == 687
    assert _count(session, "vn2025", 5, "đặc khu") == 13
    assert _count(session, "vn2004", 2) == 63
    assert _count(session, "vn2004", 3) == 696


def test_bac_kan_footprint(session: Session) -> None:
    districts = set(session.exec(select(AdminUnit.code).where(AdminUnit.scheme == "vn2004",
                                                              AdminUnit.parent_code == "06")))
    assert districts == BAC_KAN_DISTRICTS
    communes = list(session.exec(select(AdminUnit.code).where(
        AdminUnit.scheme == "vn2004", AdminUnit.parent_code.in_(BAC_KAN_DISTRICTS))))  # type: ignore[union-attr]
    assert len(communes) == 108
    new_units = set(session.exec(select(UnitLineage.new_code).where(
        UnitLineage.old_code.in_(communes))))  # type: ignore[attr-defined]
    assert len(new_units) == 37
    parents = {session.get(AdminUnit, ("vn2025", c)).parent_code for c in new_units}  # type: ignore[union-attr]
    assert parents == {"19"}  # all in the new Thái Nguyên


def test_the_three_straddling_units(session: Session) -> None:
    straddling = set()
    for name in ("Bạch Thông", "Đồng Phúc", "Phong Quang", "Ba Bể", "Na Rì"):
        unit = resolve_unit(session=session, value=f"Xã {name}", scheme="vn2025", within="19")
        [match] = [m for m in find_units(session=session, text=unit.code, scheme="vn2025")]
        districts = {p.parent_code for p in match.predecessors}
        if len(districts) > 1:
            straddling.add(name)
    assert straddling == {"Bạch Thông", "Đồng Phúc", "Phong Quang"}


def test_codes_collide_across_schemes_so_scheme_is_kept(session: Session) -> None:
    old = session.get(AdminUnit, ("vn2004", "01843"))
    new = session.get(AdminUnit, ("vn2025", "01843"))
    assert old is not None
    assert new is not None
    assert old.name == "Phường Phùng Chí Kiên"
    assert new.name == "Phường Bắc Kạn"


def test_find_ba_be_in_both_schemes(session: Session) -> None:
    matches = {(m.unit.scheme, m.unit.name): m for m in find_units(session=session, text="ba be")}
    district = matches[("vn2004", "Huyện Ba Bể")]
    commune = matches[("vn2025", "Xã Ba Bể")]
    assert "Xã Ba Bể" in {u.name for u in district.successors}
    assert district.split  # Đồng Phúc also took communes of Chợ Đồn
    assert {u.name for u in commune.predecessors} >= {"Xã Khang Ninh"}
    lineage = district.to_dict()["communes"]
    assert {"old": "Xã Khang Ninh", "old_code": "01906", "new": "Xã Ba Bể", "new_code": "01906"} in lineage


@pytest.mark.parametrize("spelling", ["Bắc Cạn", "bac kan", "BẮC KẠN", "Tỉnh Bắc Kạn"])
def test_lookup_in_any_spelling(session: Session, spelling: str) -> None:
    names = {m.unit.name for m in find_units(session=session, text=spelling, scheme="vn2004")}
    assert "Tỉnh Bắc Kạn" in names


def test_tp_and_thanh_pho_are_one(session: Session) -> None:
    a = {m.unit.code for m in find_units(session=session, text="TP. Bắc Kạn", scheme="vn2004")}
    b = {m.unit.code for m in find_units(session=session, text="Thành phố Bắc Kạn", scheme="vn2004")}
    assert a == b == {"058"}


def test_unknown_commune_suggests_the_closest(session: Session) -> None:
    with pytest.raises(CatalogueValidationError) as info:
        resolve_unit(session=session, value="Xã Khang Ninhh", scheme="vn2004", within="061")
    assert info.value.code == "admin_unit.unknown"
    assert "Khang Ninh" in info.value.message("vi")
