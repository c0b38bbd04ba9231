"""Extract administrative-unit facts into CSV data files under fixtures/admin_units/.

The facts (names, codes, old→new lineage) come from the National Statistics Office's lists as
packaged in vietnam-provinces 2026.9.0.  Only the data is taken: this script loads the wheel's
data modules in a throw-away process and writes plain CSV; none of the package's code is
shipped.  Re-run it after downloading a newer snapshot:

    pip download --python-version 3.12 --only-binary=:all: --no-deps -d /tmp/vp vietnam-provinces==2026.9.0
    unzip -q /tmp/vp/vietnam_provinces-*.whl -d /tmp/vp/wheel
    python tools/extract_admin_units.py /tmp/vp/wheel
"""

from __future__ import annotations

import csv
import json
import sys
import unicodedata
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "fixtures" / "admin_units"


def main(wheel_dir: str) -> None:
    sys.path.insert(0, wheel_dir)
    from vietnam_provinces import _ward_conversion_2025 as conv  # type: ignore[import-not-found]
    from vietnam_provinces.legacy import _lookup as legacy  # type: ignore[import-not-found]

    def nfc(text: str) -> str:
        return unicodedata.normalize("NFC", text)

    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "vn2004.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["code", "name", "kind", "parent_code"])
        for code, p in sorted(legacy.PROVINCE_MAPPING.items()):
            w.writerow([f"{code:02d}", nfc(p.name), str(p.division_type), ""])
        for code, d in sorted(legacy.DISTRICT_MAPPING.items()):
            w.writerow([f"{code:03d}", nfc(d.name), str(d.division_type), f"{int(d.province_code.value):02d}"])
        for code, wd in sorted(legacy.WARD_MAPPING.items()):
            w.writerow([f"{code:05d}", nfc(wd.name), str(wd.division_type), f"{int(wd.district_code.value):03d}"])

    nested = json.loads((Path(wheel_dir) / "vietnam_provinces" / "data" / "nested-divisions.json").read_text("utf-8"))
    with (OUT / "vn2025.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["code", "name", "kind", "parent_code"])
        for p in nested:
            w.writerow([f"{p['code']:02d}", nfc(p["name"]), p["division_type"], ""])
        for p in nested:
            for wd in p["wards"]:
                w.writerow([f"{wd['code']:05d}", nfc(wd["name"]), wd["division_type"], f"{p['code']:02d}"])

    with (OUT / "lineage.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["old_code", "new_code", "partly"])
        for old_code, entry in sorted(conv.OLD_TO_NEW.items()):
            for new in entry.new_wards:
                w.writerow([f"{old_code:05d}", f"{new.code:05d}", int(entry.old_ward.is_partly_merged)])
    print("written to", OUT)


if __name__ == "__main__":
    main(sys.argv[1])
