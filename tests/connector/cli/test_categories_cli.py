import json
from pathlib import Path

from typer.testing import CliRunner

from connector.cli.main import app

runner = CliRunner()


def _run(args: list[str]) -> tuple[int, dict[str, object]]:
    result = runner.invoke(app, [*args, "--json"])
    return result.exit_code, json.loads(result.stdout)


def test_map_by_name_then_list_shows_the_remote_id(agri_env: dict[str, str]) -> None:
    code, out = _run(["categories", "map", "voso", "mật ong", "V-101", "--path", "Thực phẩm > Mật ong"])
    assert code == 0
    assert out["data"]["category_code"] == "1.2.2"  # type: ignore[index]
    code, listed = _run(["categories", "list", "--marketplace", "voso"])
    rows = {row["code"]: row for row in listed["data"]}  # type: ignore[union-attr]
    assert rows["1.2.2"]["remote_id"] == "V-101"
    assert rows["1.2.2"]["remote_path"] == "Thực phẩm > Mật ong"
    assert rows["1.1.1"]["remote_id"] is None
    assert listed["summary"] == {"count": 26, "mapped": 1}


def test_map_file_keeps_good_rows_and_reports_bad_ones(agri_env: dict[str, str], tmp_path: Path) -> None:
    file = tmp_path / "map.csv"
    file.write_text("category,remote\n1.3.2,P-132\nkhông có ngành này,X\n1.1.1,\nrau cu qua,P-111\n", encoding="utf-8")
    code, out = _run(["categories", "map-file", "postmart", str(file)])
    assert code == 1
    assert out["summary"] == {"saved": 2, "errors": 2}
    assert [e["row"] for e in out["errors"]] == [3, 4]  # type: ignore[union-attr,index]
    _, listed = _run(["categories", "list", "-m", "postmart"])
    mapped = {row["code"]: row["remote_id"] for row in listed["data"] if row["remote_id"]}  # type: ignore[union-attr]
    assert mapped == {"1.3.2": "P-132", "1.1.1": "P-111"}


def test_typos_empty_ids_and_wrong_files_are_refused(agri_env: dict[str, str], tmp_path: Path) -> None:
    code, out = _run(["categories", "map", "vosso", "1.3.2", "P-1"])  # a typo would map nothing ever used
    assert code == 2 and out["errors"][0]["code"] == "listings.marketplace_unknown"  # type: ignore[index]
    code, out = _run(["categories", "map", "voso", "1.3.2", " "])
    assert code == 2 and out["errors"][0]["code"] == "value.required"  # type: ignore[index]
    photo = tmp_path / "map.csv"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    code, out = _run(["categories", "map-file", "voso", str(photo)])  # was a UnicodeDecodeError traceback
    assert code == 2 and out["errors"][0]["code"] == "import.file_not_table"  # type: ignore[index]
    code, out = _run(["categories", "map-file", "voso", str(tmp_path / "khong-co.csv")])
    assert code == 2 and out["errors"][0]["code"] == "file.unreadable"  # type: ignore[index]
    legacy = tmp_path / "cu.csv"
    legacy.write_bytes("Ngành hàng,Mã trên sàn,Đường dẫn\n1.3.2,P-132,Thực phẩm\n".encode("cp1258", "replace"))
    code, out = _run(["categories", "map-file", "postmart", str(legacy)])
    assert code == 0 and out["summary"] == {"saved": 1, "errors": 0}
    assert _run(["categories", "list", "-m", "voso"])[1]["summary"] == {"count": 26, "mapped": 0}
