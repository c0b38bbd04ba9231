"""How fast the ``agri`` command starts, against what any Typer program or any database program pays.

Best of 5 runs each, in the same run, as real processes:

- ``agri --help`` against the ``--help`` of a two-command Typer app (target ≤ 2×);
- ``agri products list --json`` on the demo's database against ``python -c "import sqlmodel,
  pydantic_settings"`` (target ≤ 2×): the least a command that reads the database must load.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import figure

ROOT = Path(__file__).resolve().parents[1]
RUNS = 5
TWO_COMMANDS = '''
import typer

app = typer.Typer()


@app.command()
def hello(name: str) -> None:
    """Say hello."""
    print(f"hello {name}")


@app.command()
def bye(name: str) -> None:
    """Say goodbye."""
    print(f"bye {name}")


app()
'''
AGRI = [sys.executable, "-c", "import sys; from connector.cli.main import run; run(sys.argv[1:])"]


def free_port() -> int:
    """A loopback port nobody listens on, for the demo's own sandbox (a running one is left alone)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def best_of(argv: list[str], *, cwd: Path, env: dict[str, str]) -> float:
    """The shortest wall time of ``RUNS`` runs (the least disturbed by the other work of a shared machine)."""
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(argv, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="agri-bench-cli-") as folder:
        here = Path(folder)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "AGRI_DATABASE_URL": f"sqlite:///{here / 'agri.db'}",
               "AGRI_DATA_DIR": str(here / "agri-data"), "AGRI_SANDBOX_URL": f"http://127.0.0.1:{free_port()}"}
        env.pop("AGRI_DEBUG", None)
        subprocess.run([*AGRI, "demo"], cwd=here, env=env, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        (here / "two_commands.py").write_text(TWO_COMMANDS, encoding="utf-8")

        typer_help = best_of([sys.executable, "two_commands.py", "--help"], cwd=here, env=env)
        agri_help = best_of([*AGRI, "--help"], cwd=here, env=env)
        figure("agri --help vs a two-command Typer app's --help (best of 5)", project=agri_help, unit="s",
               reference=typer_help, ratio=agri_help / typer_help, target="≤ 2×", met=agri_help <= 2 * typer_help)

        imports = best_of([sys.executable, "-c", "import sqlmodel, pydantic_settings"], cwd=here, env=env)
        listing = best_of([*AGRI, "products", "list", "--json"], cwd=here, env=env)
        figure("agri products list --json on the demo database vs import sqlmodel, pydantic_settings (best of 5)",
               project=listing, unit="s", reference=imports, ratio=listing / imports, target="≤ 2×",
               met=listing <= 2 * imports)


if __name__ == "__main__":
    main()
