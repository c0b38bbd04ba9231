import json

from sqlmodel import Session
from typer.testing import CliRunner

from catalog.ocop import OcopCertification
from catalog.producers import ProducerCreate, create_producer
from catalog.products import ProductCreate, create_product
from connector.cli.main import app
from connector.db import make_engine

runner = CliRunner()


def _json(args: list[str]) -> dict[str, object]:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _seed(url: str) -> None:
    from datetime import date

    engine = make_engine(url)
    with Session(engine) as session:
        producer = create_producer(session=session, data=ProducerCreate(
            code="HTX-TAIHOAN", kind="cooperative", name="HTX Tài Hoan", phone="0912345678", unit_vn2025="02155"))
        product = create_product(session=session, producer=producer, data=ProductCreate(
            sku="MIEN-500", name="Miến dong Tài Hoan 500g", unit="gói", price=45000, stock=12, category_code="1.3.2"))
        session.add(OcopCertification(product_id=product.id, stars=5, decision_no="2616/QĐ-UBND",
                                      decision_date=date.today().replace(year=date.today().year - 1)))
        session.commit()
    engine.dispose()


def test_init_is_idempotent(agri_env: dict[str, str]) -> None:
    data = _json(["init"])["data"]
    assert isinstance(data, dict)
    assert data["changed"] is False  # the test database is already initialised
    assert "password" not in json.dumps(data)


def test_products_list_and_show(agri_env: dict[str, str]) -> None:
    _seed(agri_env["AGRI_DATABASE_URL"])
    listed = _json(["products", "list", "--search", "mien dong"])
    assert listed["ok"] is True
    [row] = listed["data"]  # type: ignore[misc]
    assert row["ref"] == "HTX-TAIHOAN/MIEN-500"
    assert row["price"] == 45000 and isinstance(row["price"], int)
    assert row["stars"] == 5
    shown = _json(["products", "show", "HTX-TAIHOAN/MIEN-500"])["data"]
    assert shown["certifications"][0]["decision_no"] == "2616/QĐ-UBND"  # type: ignore[index]
    table = runner.invoke(app, ["products", "list"])
    assert "Miến dong" in table.stdout
    assert "45.000" in table.stdout


def test_missing_product_is_a_usage_error_with_a_code(agri_env: dict[str, str]) -> None:
    result = runner.invoke(app, ["products", "show", "NOPE/NOPE", "--json"])
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert document["ok"] is False
    assert document["errors"][0]["code"] == "entity.not_found"


def test_producers_list_filters(agri_env: dict[str, str]) -> None:
    _seed(agri_env["AGRI_DATABASE_URL"])
    assert len(_json(["producers", "list", "--search", "TAI HOAN"])["data"]) == 1  # type: ignore[arg-type]
    assert _json(["producers", "list", "--search", "zzz"])["data"] == []


def test_units_find_ba_be(agri_env: dict[str, str]) -> None:
    document = _json(["units", "find", "ba be"])
    found = {(u["scheme"], u["name"]): u for u in document["data"]}  # type: ignore[union-attr]
    assert ("vn2004", "Huyện Ba Bể") in found
    assert ("vn2025", "Xã Ba Bể") in found
    district = found[("vn2004", "Huyện Ba Bể")]
    assert any(c["new"] == "Xã Ba Bể" for c in district["communes"])


def test_uninitialised_database_says_run_init(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from connector.cli.context import dispose_engines
    from connector.settings import get_settings

    monkeypatch.setenv("AGRI_DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.db'}")
    get_settings.cache_clear()
    dispose_engines()
    result = runner.invoke(app, ["products", "list"])
    get_settings.cache_clear()
    dispose_engines()
    assert result.exit_code == 2
    assert "agri init" in result.output
