"""The funnel counts distinct households; groupings by old district and by new commune add up to
the same totals (split and unknown rows, never a lost household); steps can be added."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session

from catalog.periods import Period, parse_period
from connector.funnel import FUNNEL_STEPS
from connector.onboarding.funnel import FunnelStep, build_funnel, sum_rows
from connector.onboarding.importer import import_register
from tests.connector.onboarding.helpers import TEAM_FILES, write_register

TODAY = date(2025, 9, 1)
ALL = parse_period("all", today=TODAY)


@pytest.fixture
def register(session: Session) -> Session:
    import_register(session=session, paths=TEAM_FILES, today=TODAY)
    return session


def test_two_platforms_count_one_household(session: Session, tmp_path: Path) -> None:
    path = write_register(tmp_path / "t.csv", [
        {"name": "Hộ Hai Sàn", "phone": "0912 000 071", "commune": "Xã Ba Bể", "platform": "voso",
         "trained": "01/03/2024"},
        {"name": "Hộ Hai Sàn", "phone": "0912 000 071", "commune": "Xã Ba Bể", "platform": "postmart",
         "trained": "02/03/2024", "topic": "Thanh toán số"},
        {"name": "Hộ Một Sàn", "phone": "0912 000 072", "commune": "Xã Ba Bể", "platform": "voso"},
    ])
    import_register(session=session, paths=[path], today=TODAY)
    report = build_funnel(session=session, sources=FUNNEL_STEPS, period=ALL, dimensions=["commune"])
    assert report.total.counts == {"registered": 2, "trained": 1, "account": 2, "account:voso": 2,
                                   "account:postmart": 1}
    [row] = report.rows
    assert row.group["commune"] == ("01906", "Xã Ba Bể")
    assert row.counts["account"] == 2
    assert row.rate(next(s for s in report.steps if s.key == "trained")) == 0.5


def test_district_and_commune_add_up_with_split_and_unknown_rows(register: Session, tmp_path: Path) -> None:
    extra = write_register(tmp_path / "x.csv", [{"name": "Hộ Không Rõ Xã", "phone": "0912 000 081"}])
    import_register(session=register, paths=[extra], today=TODAY)
    by_district = build_funnel(session=register, sources=FUNNEL_STEPS, period=ALL, dimensions=["district"])
    by_commune = build_funnel(session=register, sources=FUNNEL_STEPS, period=ALL, dimensions=["commune"],
                              scheme="vn2025")
    by_old_commune = build_funnel(session=register, sources=FUNNEL_STEPS, period=ALL, dimensions=["commune"],
                                  scheme="vn2004")
    for report in (by_district, by_commune, by_old_commune):
        for step in report.steps:
            assert sum_rows(report.rows, step.key) == report.total.counts.get(step.key, 0), (report.dimensions, step)
    assert by_district.total.counts == by_commune.total.counts == by_old_commune.total.counts
    labels = {row.group["district"][0]: row.group["district"][1] for row in by_district.rows}
    # Hoàng Văn Dũng and Hoàng Thị Lan: Xã Phong Quang, old commune unknown → split between TP Bắc Kạn and Bạch Thông
    assert "split:01849" in labels
    assert "Bạch Thông" in labels["split:01849"]
    assert "Bắc Kạn" in labels["split:01849"]
    assert labels["?"].startswith("Chưa rõ")
    assert {"061", "063", "064", "058"} <= set(labels)  # Ba Bể, Bạch Thông, Chợ Đồn, TP Bắc Kạn
    # Đinh Thị Mơ wrote her old commune (Dương Quang, TP Bắc Kạn): not split although her new unit straddles
    split_row = next(r for r in by_district.rows if r.group["district"][0] == "split:01849")
    assert split_row.counts["registered"] == 2


def test_team_member_rows_count_a_shared_household_in_each(register: Session) -> None:
    report = build_funnel(session=register, sources=FUNNEL_STEPS, period=ALL, dimensions=["team-member"])
    rows = {row.group["team-member"][1].split(" (")[0]: row.counts for row in report.rows}
    assert set(rows) == {"Triệu Thị Nga", "Hà Văn Quân", "Ma Thị Hạnh", "Nông Văn Bình"}
    assert sum(r["registered"] for r in rows.values()) > report.total.counts["registered"]  # shared households
    assert rows["Ma Thị Hạnh"]["registered"] == 4  # Nông Thị Hoa, BB-001, Lục Văn Sáng, Hoàng Thị Lan


def test_new_counts_the_households_registered_within_the_period(register: Session) -> None:
    in_2024 = build_funnel(session=register, sources=FUNNEL_STEPS, period=parse_period("2024", today=TODAY),
                           dimensions=["month"], new=True)
    in_2025 = build_funnel(session=register, sources=FUNNEL_STEPS, period=parse_period("2025", today=TODAY),
                           dimensions=["month"], new=True)
    everything = build_funnel(session=register, sources=FUNNEL_STEPS, period=ALL)
    total = everything.total.counts["registered"]
    assert in_2024.total.counts["registered"] + in_2025.total.counts["registered"] == total
    # Lường Văn Mạnh's row has no date at all: registered on the day of the import
    assert [r.group["month"][0] for r in in_2025.rows] == ["2025-02", "2025-03", "2025-09"]
    # Nông Thị Hoa, registered in 2024, opened her postmart account in 2025: not in the 2024 figures
    assert in_2024.total.counts["account:postmart"] == 2  # Phùng Văn Dào, Đinh Thị Mơ
    assert everything.total.counts["account:postmart"] == 4  # + Nông Thị Hoa, Bế Văn Hùng
    assert in_2024.to_dict()["cohort"] == "new"


def test_by_default_the_funnel_stands_as_of_the_period_s_end(register: Session) -> None:
    """Everyone registered by the end of the period, each step as it stood on that day."""
    def funnel(text: str, *, new: bool = False, by: str = "") -> dict[str, int]:
        return build_funnel(session=register, sources=FUNNEL_STEPS, period=parse_period(text, today=TODAY),
                            dimensions=by, new=new).total.counts

    by_2024, by_2025 = funnel("2024"), funnel("2025")
    assert by_2025 == funnel("all")  # nobody registered after 2025
    assert by_2024["registered"] == by_2025["registered"] - funnel("2025", new=True)["registered"]
    assert by_2024["registered"] == funnel("2024", new=True)["registered"]  # the register starts in 2024
    # Nông Thị Hoa, registered in 2024, opened her postmart account in 2025: counted from 2025 on
    assert by_2024["account:postmart"] == 2 and by_2025["account:postmart"] == 4
    # a month of 2025 as of its end holds the 2024 households too; --new only that month's
    assert funnel("2025-03")["registered"] > funnel("2025-03", new=True)["registered"] > 0
    assert funnel("2025-03", by="month") == funnel("2025-03")  # grouping by first day loses nobody


def test_steps_can_be_added(register: Session) -> None:
    def sold(session: Session, period: Period) -> list[tuple[FunnelStep, set[int]]]:
        from sqlalchemy import text

        ids = set(session.execute(text("SELECT id FROM producer WHERE name_key = 'be van hung'")).scalars())
        return [(FunnelStep("sale", "Có bán hàng", "With a sale", "account"), ids)]

    report = build_funnel(session=register, sources=[*FUNNEL_STEPS[:-1], sold], period=ALL, dimensions=["district"])
    assert [s.key for s in report.steps][-1] == "sale"
    assert report.total.counts["sale"] == 1
    chodon = next(r for r in report.rows if r.group["district"][0] == "064")
    assert chodon.counts["sale"] == 1


def test_report_json_shape(register: Session) -> None:
    data = build_funnel(session=register, sources=FUNNEL_STEPS, period=ALL, dimensions="district,month").to_dict()
    assert data["dimensions"] == ["district", "month"]
    assert data["open_merge_candidates"] == 2  # Hoàng Thị Lan (a shared phone), Lục Văn Sáng (a name, no phone)
    assert {"registered", "trained", "account"} <= set(data["total"]["counts"])
    assert all("name" not in str(row["group"]).lower() for row in data["rows"])


@pytest.mark.parametrize(("text", "start", "end"), [
    ("2024", date(2024, 1, 1), date(2024, 12, 31)),
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
    ("2024-Q4", date(2024, 10, 1), date(2024, 12, 31)),
    ("2024-h1", date(2024, 1, 1), date(2024, 6, 30)),
    ("2023-07..2024-06", date(2023, 7, 1), date(2024, 6, 30)),
    ("all", None, TODAY),
])
def test_periods(text: str, start: date | None, end: date) -> None:
    period = parse_period(text, today=TODAY)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize("text", ["2024-13", "24", "2024-Q5", "2025..2024", "last year"])
def test_bad_periods(text: str) -> None:
    from catalog.errors import CatalogueValidationError

    with pytest.raises(CatalogueValidationError) as caught:
        parse_period(text, today=TODAY)
    assert caught.value.code == "onboarding.period_invalid"


def test_the_readme_s_worked_example(session: Session, tmp_path: Path) -> None:
    """The three households of the README's example, and the four commands' figures."""
    path = write_register(tmp_path / "vd.csv", [
        {"name": "Hộ A", "phone": "0912 000 081", "commune": "Xã Ba Bể", "registered": "20/11/2023",
         "trained": "02/03/2024", "platform": "voso", "opened": "10/04/2024"},
        {"name": "Hộ B", "phone": "0912 000 082", "commune": "Xã Ba Bể", "registered": "15/06/2024",
         "trained": "15/06/2024", "platform": "voso", "opened": "01/02/2025"},
        {"name": "Hộ C", "phone": "0912 000 083", "commune": "Xã Ba Bể", "registered": "08/01/2025"},
    ])
    import_register(session=session, paths=[path], today=TODAY)

    def funnel(text: str, *, new: bool = False) -> tuple[int, int, int]:
        counts = build_funnel(session=session, sources=FUNNEL_STEPS, period=parse_period(text, today=TODAY),
                              new=new).total.counts
        return counts.get("registered", 0), counts.get("trained", 0), counts.get("account", 0)

    assert funnel("2024") == (2, 2, 1)
    assert funnel("2024", new=True) == (1, 1, 0)
    assert funnel("2025") == (3, 2, 2)
    assert funnel("2025", new=True) == (1, 0, 0)
