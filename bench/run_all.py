"""``make bench``: run every benchmark script and print one table (also written to RESULTS.md)."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    load_before = os.getloadavg()[0]
    rows: list[dict[str, object]] = []
    failed: list[str] = []
    for script in sorted(HERE.glob("*.py")):
        if script.name in {"common.py", "run_all.py"} or script.name.startswith("_"):
            continue
        print(f"== {script.name}", flush=True)
        proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=False)
        sys.stdout.write(proc.stdout)
        if proc.returncode != 0:
            failed.append(script.name)
            sys.stdout.write(proc.stderr[-4000:])
        for line in proc.stdout.splitlines():
            if line.startswith("BENCH "):
                rows.append({"script": script.name, **json.loads(line[6:])})
    header = "| script | figure | reference | project | ratio | target | met |\n|---|---|---|---|---|---|---|\n"
    body = ""
    for r in rows:
        ref = "—" if r["reference"] is None else f"{r['reference']:,.3f} {r['unit']}"
        ratio = "—" if r["ratio"] is None else f"{r['ratio']:.2f}"
        body += (f"| {r['script']} | {r['figure']} | {ref} | {r['project']:,.3f} {r['unit']} | {ratio} | "
                 f"{r['target']} | {'yes' if r['met'] else '**no**'} |\n")
    machine = f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}"
    cores = os.cpu_count()
    report = (f"# Benchmark results\n\n{date.today().isoformat()} on {machine}, {cores} cores; load average "
              f"{load_before:.1f} before and {os.getloadavg()[0]:.1f} after the run (the machine is shared, so "
              f"figures move between runs).\n\n{header}{body}")
    if failed:
        report += "\nScripts that failed: " + ", ".join(failed) + "\n"
    (HERE / "RESULTS.md").write_text(report, encoding="utf-8")
    print()
    print(header + body)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
