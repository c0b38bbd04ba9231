"""Usage mistakes answer in the user's language, as registered errors, with exit code 2."""

from __future__ import annotations

import json

import pytest

from connector.cli.main import run
from connector.settings import get_settings


@pytest.fixture
def language(monkeypatch: pytest.MonkeyPatch):
    def choose(value: str) -> None:
        monkeypatch.setenv("AGRI_LANG", value)
        get_settings.cache_clear()

    yield choose
    get_settings.cache_clear()


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as ended:
        run(argv)
    out = capsys.readouterr()
    return int(ended.value.code or 0), out.out, " ".join(out.err.split())


@pytest.mark.parametrize(("argv", "code", "words"), [
    (["products", "list", "--bogus"], "usage.no_such_option", "không có tùy chọn --bogus"),
    (["products", "lisst"], "usage.no_such_command", "không có lệnh 'lisst'"),
    (["catalog", "import"], "usage.missing", "còn thiếu FILE"),
    (["products", "list", "--limit", "abc"], "usage.bad_value", "Giá trị của --limit"),
])
def test_usage_mistakes_are_explained_in_vietnamese(argv, code, words, language, capsys) -> None:
    language("vi")
    exit_code, _, err = _run(argv, capsys)
    assert exit_code == 2
    assert f"Lỗi ({code})" in err
    assert words in err
    assert f"agri {' '.join(argv[:2]) if argv[1] != 'lisst' else argv[0]}" in err  # where to look for help
    assert "--help" in err
    assert "Traceback" not in err


def test_usage_mistake_in_english(language, capsys) -> None:
    language("en")
    exit_code, _, err = _run(["catalog", "import"], capsys)
    assert exit_code == 2
    assert "Error (usage.missing): `agri catalog import` is missing FILE" in err


def test_usage_mistake_with_json_prints_the_envelope(language, capsys) -> None:
    language("vi")
    exit_code, out, _ = _run(["products", "list", "--json", "--bogus"], capsys)
    document = json.loads(out)
    assert exit_code == 2
    assert document["ok"] is False and document["data"] is None
    assert document["errors"][0]["code"] == "usage.no_such_option"
    assert document["errors"][0]["option"] == "--bogus"


def test_help_and_no_arguments_still_show_help(capsys) -> None:
    exit_code, out, _ = _run(["products", "--help"], capsys)
    assert exit_code == 0 and "Usage: agri products" in out
    exit_code, out, err = _run([], capsys)
    assert exit_code == 2 and "Usage: agri" in out + err
