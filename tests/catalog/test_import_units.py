"""The import's unit resolver answers as ``resolve_unit`` and the lineage do, from what it remembers."""

from sqlmodel import Session, col, select

from catalog.admin_units import AdminUnit, UnitLineage, resolve_unit
from catalog.errors import CatalogueValidationError
from catalog.importing.units import UnitResolver

BAC_KAN_DISTRICTS = ("058", "060", "061", "062", "063", "064", "065", "066")


def _reference(session: Session, value: str, scheme: str, within: str | None) -> str:
    try:
        return resolve_unit(session=session, value=value, scheme=scheme, within=within).code  # type: ignore[arg-type]
    except CatalogueValidationError as error:
        return error.code


def test_remembered_names_answer_as_resolve_unit(session: Session) -> None:
    communes = list(session.exec(select(AdminUnit).where(
        AdminUnit.scheme == "vn2004", col(AdminUnit.parent_code).in_(BAC_KAN_DISTRICTS))))
    assert len(communes) == 108
    # names one unit, several units (narrowed or not by ``within``) or none carry, and codes
    names = [u.name for u in communes[::12]] + ["Xã Tân Lập", "Phường 1", "Xã Không Có Thật", "02185"]
    cases = [(name, scheme, within) for name in names
             for scheme, within in (("vn2004", None), ("vn2004", "06"), ("vn2004", "058"), ("vn2025", None),
                                    ("vn2025", "19"))]
    expected = {case: _reference(session, *case) for case in cases}
    assert {"admin_unit.ambiguous", "admin_unit.unknown"} <= set(expected.values())
    resolver = UnitResolver(session)
    for _round in range(2):  # the second round is answered from memory
        for case in cases:
            try:
                got = resolver._unit_code(*case)
            except CatalogueValidationError as error:
                got = error.code
            assert got == expected[case], case


def test_old_communes_go_to_their_successor(session: Session) -> None:
    districts = {u.code: u.name for u in session.exec(select(AdminUnit).where(
        AdminUnit.scheme == "vn2004", col(AdminUnit.code).in_(BAC_KAN_DISTRICTS)))}
    resolver = UnitResolver(session)
    for unit in session.exec(select(AdminUnit).where(AdminUnit.scheme == "vn2004",
                                                     col(AdminUnit.parent_code).in_(BAC_KAN_DISTRICTS))):
        assert unit.parent_code is not None
        found = resolver.resolve(commune=None, commune_old=unit.name, district=districts[unit.parent_code])
        lineage = session.exec(select(UnitLineage.new_code).where(UnitLineage.old_code == unit.code)
                               .order_by(col(UnitLineage.partly))).all()
        assert found.vn2004 == unit.code
        assert found.vn2025 == (lineage[0] if lineage else None)
        assert resolver.successor(unit.code) == found.vn2025
