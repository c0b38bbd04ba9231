"""Writers for :class:`connector.ledger.reports.Report`: table cells, CSV, JSON, Excel and the chart.

Excel: VND number format, Vietnamese headers, the header row frozen, one sheet per grouping, text
written as text (never a formula: a cell reading ``=HYPERLINK(…)`` from a sales file stays
harmless).  Its layout (the lines above the table, headers, formats, signatures) comes from a
TOML template, :data:`DEFAULT_TEMPLATE`, which a province may replace with its own form.
"""

from __future__ import annotations

import csv
import json
import tomllib
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from catalog.clock import LOCAL_TZ
from catalog.errors import CatalogueValidationError
from catalog.importing import escape_formula
from connector.ledger.reports import DIMENSION_LABELS, Report

DEFAULT_TEMPLATE = Path(__file__).resolve().parent / "templates" / "report.toml"
FORMATS = ("table", "csv", "xlsx", "json")
_BAD_SHEET_CHARS = str.maketrans({c: " " for c in "[]:*?/\\"})


def load_template(path: Path | None = None) -> dict[str, Any]:
    """The default layout, overlaid with ``path``'s (a province's form may set only what differs)."""
    with DEFAULT_TEMPLATE.open("rb") as fh:
        layout = tomllib.load(fh)
    if path is not None:
        try:
            with path.open("rb") as fh:
                custom = tomllib.load(fh)
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise CatalogueValidationError("ledger.template_invalid", path=str(path), detail=str(error)) from None
        for section, values in custom.items():
            if not isinstance(values, dict):
                raise CatalogueValidationError("ledger.template_invalid", path=str(path),
                                               detail=f"[{section}] must be a table")
            layout.setdefault(section, {}).update(values)
    return layout


def headers(report: Report, layout: dict[str, Any] | None = None, *, lang: str = "vi") -> list[str]:
    names = (layout or {}).get("headers", {})
    out = [names.get(d) or DIMENSION_LABELS[d][0 if lang == "vi" else 1] for d in report.dimensions]
    out += [names.get(k) or (vi if lang == "vi" else en) for k, vi, en in report.measures]
    return out


def report_cells(report: Report, *, lang: str = "vi", layout: dict[str, Any] | None = None
                 ) -> tuple[list[str], list[list[Any]], list[list[str | None]]]:
    """Headers, rows and, for each cell, the measure it shows (None for a label).

    A report by groups has one row per group and the total row last; the indicators are shown
    transposed: one row per indicator, the whole province then each group in columns.
    """
    total_label = (layout or {}).get("layout", {}).get("total_label", "TỔNG CỘNG" if lang == "vi" else "TOTAL")
    names = headers(report, layout, lang=lang)
    measures = [k for k, *_ in report.measures]
    if report.kind == "indicators":
        groups = [" × ".join(r.group[d][1] for d in report.dimensions) for r in report.rows]
        head = ["Chỉ tiêu" if lang == "vi" else "Indicator", "Tổng" if lang == "vi" else "Total", *groups]
        rows = [[names[len(report.dimensions) + i], report.total.values.get(k, 0),
                 *(r.values.get(k, 0) for r in report.rows)] for i, k in enumerate(measures)]
        keys: list[list[str | None]] = [[None] + [k] * (1 + len(report.rows)) for k in measures]
        return head, rows, keys
    dims = len(report.dimensions)
    rows = [[row.group[d][1] for d in report.dimensions] + [row.values.get(k, 0) for k in measures]
            for row in report.rows] if dims else []  # without dimensions the total row says it all
    rows.append([total_label] + [""] * max(dims - 1, 0) + [report.total.values.get(k, 0) for k in measures])
    head = names if dims else ["", *names]
    keys = [[None] * max(dims, 1) + list(measures) for _ in rows]
    return head, rows, keys


def write_csv(report: Report, out: Path, *, lang: str = "vi") -> Path:
    head, rows, _keys = report_cells(report, lang=lang)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8-sig", newline="") as fh:  # the BOM lets Excel read Vietnamese text
        writer = csv.writer(fh)
        writer.writerow([escape_formula(h) for h in head])
        writer.writerows([escape_formula(v) if isinstance(v, str) else v for v in row] for row in rows)
    return out


def write_json(reports: Sequence[Report], out: Path) -> Path:
    from catalog.jsonable import to_jsonable  # the one JSON convention (dates with +07:00)

    out.parent.mkdir(parents=True, exist_ok=True)
    data = [r.to_dict() for r in reports]
    out.write_text(json.dumps(to_jsonable(data[0] if len(data) == 1 else data), ensure_ascii=False, indent=2),
                   encoding="utf-8")
    return out


def _fill(text: str, report: Report, generated: str) -> str:
    policy = report.extra.get("policy") or {}
    words = {"title": report.title.split(" / ")[0].upper(), "period": report.period.label, "scheme": report.scheme,
             "province": f", tỉnh {report.province}" if report.province else "", "generated": generated,
             "policy": (f"trạng thái tính doanh thu {', '.join(policy.get('counted', []))}; "
                        f"cơ sở {policy.get('basis', '')}") if policy else "số liệu từ sổ bán hàng"}
    try:
        return text.format(**words)
    except (KeyError, IndexError, ValueError):
        return text


def sheet_name(report: Report, layout: dict[str, Any], index: int, lang: str = "vi") -> str:
    sheets = layout.get("sheets", {})
    if not report.dimensions:
        name = sheets.get("summary", "Tổng hợp")
    elif index == 0:
        name = sheets.get("all", "Chi tiết")
    else:
        label = " × ".join(headers(report, layout, lang=lang)[:len(report.dimensions)])
        name = sheets.get("one", "Theo {dimension}").replace("{dimension}", label.lower())
    return str(name).translate(_BAD_SHEET_CHARS)[:31]


def write_xlsx(reports: Sequence[Report], out: Path, *, template: Path | None = None, lang: str = "vi") -> Path:
    """One sheet per report (grouping), laid out by the template."""
    layout = load_template(template)
    page = layout.get("layout", {})
    out.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(out), {"strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    centre = book.add_format({"bold": True, "align": "center"})
    title_fmt = book.add_format({"bold": True, "font_size": 14, "align": "center"})
    head_fmt = book.add_format({"bold": True, "bg_color": "#E2EFDA", "border": 1, "text_wrap": True,
                                "valign": "vcenter", "align": "center"})
    money = book.add_format({"num_format": page.get("money_format", "#,##0"), "border": 1})
    count = book.add_format({"num_format": page.get("count_format", "#,##0"), "border": 1})
    share = book.add_format({"num_format": page.get("share_format", "0.00"), "border": 1})
    money_total = book.add_format({"num_format": page.get("money_format", "#,##0"), "border": 1, "bold": True})
    count_total = book.add_format({"num_format": page.get("count_format", "#,##0"), "border": 1, "bold": True})
    text = book.add_format({"border": 1})
    generated = datetime.now(LOCAL_TZ).strftime("%d/%m/%Y")
    used: set[str] = set()
    for index, report in enumerate(reports):
        name = sheet_name(report, layout, index, lang)
        while name in used:
            name = f"{name[:28]} {len(used)}"
        used.add(name)
        sheet = book.add_worksheet(name)
        head, rows, keys = report_cells(report, lang=lang, layout=layout)
        width = len(head)
        for r, line in enumerate(page.get("header_left", [])):
            sheet.write_string(r, 0, escape_formula(str(line)), centre)
        for r, line in enumerate(page.get("header_right", [])):
            sheet.write_string(r, max(width - 1, 1), escape_formula(str(line)), centre)
        header_row = max(int(page.get("header_row", 7)) - 1, 4)
        sheet.write_string(header_row - 3, 0, _fill(str(page.get("title", "{title}")), report, generated), title_fmt)
        sheet.write_string(header_row - 2, 0, _fill(str(page.get("subtitle", "")), report, generated), bold)
        sheet.write_string(header_row - 1, 0, _fill(str(page.get("note", "")), report, generated))
        sheet.set_row(header_row, 32)
        labels = sum(1 for k in keys[0] if k is None) if keys else 1
        sheet.set_column(0, max(labels - 1, 0), int(page.get("label_width", 36)))
        sheet.set_column(labels, width - 1, int(page.get("value_width", 20)))
        for c, name_ in enumerate(head):
            sheet.write_string(header_row, c, escape_formula(name_), head_fmt)
        for r, row in enumerate(rows, start=header_row + 1):
            last = r == header_row + len(rows) and report.kind != "indicators"
            for c, value in enumerate(row):
                key = keys[r - header_row - 1][c]
                if key is None:
                    sheet.write_string(r, c, escape_formula(str(value)), text)
                    continue
                fmt = (money_total if last else money) if report.money(key) else \
                    share if isinstance(value, float) else (count_total if last else count)
                sheet.write_number(r, c, value, fmt)
        if page.get("freeze_header", True):
            sheet.freeze_panes(header_row + 1, labels)
        signatures = page.get("signatures", [])
        sign_row = header_row + len(rows) + 3
        for i, who in enumerate(signatures):
            column = 0 if i == 0 else max(width - 1, 1)
            sheet.write_string(sign_row, column, escape_formula(str(who)), centre)
        for note_row, note in enumerate(report.notes, start=sign_row + 5):
            sheet.write_string(note_row, 0, escape_formula(note))
    book.close()
    return out


def write_chart(report: Report, out: Path) -> Path:
    """Turnover by month (bars stacked by platform), in million đồng: ``report`` is by month and platform."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.ticker import FuncFormatter

    months = sorted({row.group["month"][0] for row in report.rows})
    platforms = sorted({row.group["platform"] for row in report.rows}, key=lambda p: p[0])
    values = {(row.group["month"][0], row.group["platform"][0]): row.values["amount"] for row in report.rows}
    fig, ax = plt.subplots(figsize=(max(8.0, 0.55 * len(months) + 3), 5.2), dpi=120)
    bottom = [0.0] * len(months)
    colours = plt.get_cmap("tab10")
    for i, (code, label) in enumerate(platforms):
        heights = [values.get((m, code), 0) / 1e6 for m in months]
        ax.bar(range(len(months)), heights, bottom=bottom, label=label, color=colours(i % 10), width=0.75)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    ax.set_xticks(range(len(months)), [f"{m[5:]}/{m[2:4]}" for m in months], rotation=45 if len(months) > 12 else 0)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.0f}".replace(",", ".")))
    ax.set_ylabel("Triệu đồng / million VND")
    ax.set_title(f"Doanh thu TMĐT theo tháng và sàn — {report.period.label}")
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", alpha=0.3)
    if platforms:
        ax.legend(frameon=False, fontsize=8, ncols=min(len(platforms), 4), loc="upper left")
    total = report.total.values.get("amount", 0)
    ax.text(0.99, 0.98, f"Tổng: {total:,.0f} đ".replace(",", "."), transform=ax.transAxes, ha="right", va="top")
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, format=out.suffix.lstrip(".").lower() or "png")
    plt.close(fig)
    return out
