"""One platform name: accounts, listings, orders and ledger entries of a marketplace count under one name.

The generic marketplace's accounts used to count under ``generic`` (the adapter key) and its orders
under ``sandbox`` (its profile), so ``report indicators --by platform`` showed one with holders and
no sales, the other with sales and no holders.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from connector.accounts import MarketplaceAccount, platform_name, platform_of_columns

ROOT = Path(__file__).resolve().parents[3]


def test_an_account_counts_under_its_profile_s_marketplace_or_its_own() -> None:
    generic = MarketplaceAccount(name="a", marketplace="generic", profile="sandbox", producer_id=1)
    voso = MarketplaceAccount(name="b", marketplace="voso", producer_id=1)
    assert (platform_name(generic), platform_name(voso)) == ("sandbox", "voso")
    assert platform_of_columns("generic", "lazada") == "lazada" and platform_of_columns("facebook", None) == "facebook"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_every_platform_with_transactions_has_its_account_holders_under_the_same_name(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "AGRI_SANDBOX_URL": f"http://127.0.0.1:{_free_port()}",
           "COLUMNS": "100", "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    agri = [sys.executable, "-m", "connector.cli.main"]
    demo = subprocess.run([*agri, "demo"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    out = subprocess.run([*agri, "report", "indicators", "--by", "platform", "--json"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    rows = {row["group"]["platform"]["code"]: row["values"] for row in json.loads(out.stdout)["data"]["rows"]}
    selling = {platform for platform, values in rows.items() if values["transactions"]}
    assert {"voso", "postmart", "sandbox"} <= selling  # the demo sells on all three
    for platform in selling:
        assert rows[platform]["households_account"] >= rows[platform]["households_transacting"] > 0, platform
        assert 0 < rows[platform]["share_transacting_pct"] <= 100, platform
    assert "generic" not in rows  # the adapter's key is not a platform
    # --platforms: numerator and denominator from the same platforms (the seed articles' 26 % kind of figure)
    out = subprocess.run([*agri, "report", "indicators", "--platforms", "voso,postmart", "--json"], cwd=tmp_path,
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    both = json.loads(out.stdout)["data"]["total"]["values"]
    voso, postmart = rows["voso"], rows["postmart"]
    assert both["transactions"] == voso["transactions"] + postmart["transactions"]
    assert both["turnover"] == voso["turnover"] + postmart["turnover"]
    assert max(voso["households_account"], postmart["households_account"]) <= both["households_account"] \
        <= voso["households_account"] + postmart["households_account"]
    assert both["share_transacting_pct"] == round(100 * both["households_transacting"] / both["households_account"], 2)
