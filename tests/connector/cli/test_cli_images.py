"""``agri images prepare`` and ``agri media``: one result per file, a bad file never crashes it."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from connector.cli.main import app
from connector.settings import get_settings

runner = CliRunner()


@pytest.fixture
def media_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private data directory (the command needs no database)."""
    monkeypatch.setenv("AGRI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("AGRI_LANG", "vi")
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _photo(path: Path, size: tuple[int, int] = (640, 480)) -> Path:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x8825] = {1: "N", 2: (22.0, 8.0, 50.0)}
    Image.new("RGB", size, (30, 140, 60)).save(out, "JPEG", exif=exif)
    path.write_bytes(out.getvalue())
    return path


def test_good_and_bad_files_json(media_env: Path) -> None:
    good = _photo(media_env / "mien-dong.jpg")
    bad = media_env / "notes.jpg"
    bad.write_text("không phải ảnh")
    out = media_env / "out"
    result = runner.invoke(app, ["images", "prepare", str(good), str(bad), "--profile", "voso", "--out", str(out),
                                 "--json"])
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    assert set(document) == {"ok", "data", "errors", "summary"}
    assert document["ok"] is False
    ok_row, bad_row = document["data"]
    assert ok_row["ok"] is True
    assert (ok_row["width"], ok_row["height"]) == (800, 800)
    assert set(ok_row) >= {"path", "out", "width", "height", "bytes", "sha256", "original_sha256", "cached"}
    assert Path(ok_row["out"]) == out / "mien-dong.jpg"
    written = (out / "mien-dong.jpg").read_bytes()
    assert len(written) == ok_row["bytes"]
    with Image.open(io.BytesIO(written)) as img:
        assert not img.getexif()
    assert bad_row == {"path": str(bad), "ok": False, "code": "image.not_image", "message": bad_row["message"]}
    assert "không phải là ảnh" in bad_row["message"]
    assert document["errors"] == [{"path": str(bad), "code": "image.not_image", "message": bad_row["message"]}]
    assert document["summary"] == {"count": 2, "prepared": 1, "failed": 1, "profile": "voso", "out": str(out)}
    assert (media_env / "data" / "media" / "index.sqlite3").is_file()


def test_all_good_exits_zero_and_reuses_the_cache(media_env: Path) -> None:
    folder = media_env / "photos"
    folder.mkdir()
    _photo(folder / "a.jpg")
    _photo(folder / "b.jpg", (300, 900))
    args = ["images", "prepare", str(folder), "--out", str(media_env / "out"), "--json"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    rows = json.loads(first.stdout)["data"]
    assert [r["cached"] for r in rows] == [False, False]
    again = json.loads(runner.invoke(app, args).stdout)["data"]
    assert [r["cached"] for r in again] == [True, True]
    assert [r["sha256"] for r in again] == [r["sha256"] for r in rows]


def test_table_output_and_same_names(media_env: Path) -> None:
    for folder in ("x", "y"):
        (media_env / folder).mkdir()
    one = _photo(media_env / "x" / "p.jpg")
    two = _photo(media_env / "y" / "p.jpg", (500, 500))
    result = runner.invoke(app, ["images", "prepare", str(one), str(two), str(media_env / "gone.png"),
                                 "--out", str(media_env / "out")])
    assert result.exit_code == 1
    assert "file.unreadable" in result.output
    assert sorted(p.name for p in (media_env / "out").iterdir()) == ["p-2.jpg", "p.jpg"]


def test_unknown_profile_is_a_usage_error(media_env: Path) -> None:
    result = runner.invoke(app, ["images", "prepare", str(_photo(media_env / "a.jpg")), "--profile", "shopee",
                                 "--out", str(media_env / "out"), "--json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout)["errors"][0]["code"] == "image.profile_unknown"


def test_media_serve_has_help() -> None:
    result = runner.invoke(app, ["media", "serve", "--help"])
    assert result.exit_code == 0
    assert "--port" in result.output
