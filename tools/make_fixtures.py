"""Generate the sample catalogue in ``fixtures/catalogue/`` (deterministic: same bytes every run).

    .venv/bin/python tools/make_fixtures.py

Writes ``catalogue.xlsx`` (the template's three sheets), ``images/*.jpg`` (one drawn photo per
product: coloured background, a shape, the product name; EXIF with a fake GPS position on some,
so GPS stripping is exercised) and the messy variant in ``messy/`` (see its README.md).
Producers sit in real vn2004 communes of Bắc Kạn (province 06); the vn2025 unit is their
successor in ``fixtures/admin_units/lineage.csv``.  Names of people and decision numbers are
illustrative.
"""

from __future__ import annotations

import csv
import random
import shutil
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

import matplotlib
import xlsxwriter
from PIL import Image, ImageDraw, ImageFont

from catalog.importing.legacy import encode_tcvn3
from catalog.importing.template import write_catalogue_workbook

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "fixtures" / "catalogue"
UNITS = ROOT / "fixtures" / "admin_units"
FONT = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans-Bold.ttf"
FIXED = datetime(2025, 9, 1, 8, 0, 0)
SEED = 20250901


@dataclass
class P:  # a producer
    code: str
    name: str
    kind: str
    representative: str
    phone: str
    address: str
    old_commune: str  # vn2004 code in province 06
    goods: tuple[str, ...]  # product families (keys of FAMILIES)


PRODUCERS = [
    P("HTX-TAIHOAN", "HTX Tài Hoan", "Hợp tác xã", "Triệu Thị Hoan", "0912 301 001", "Thôn Nà Làng", "02173",
      ("mien", "bun", "tinh_bot_dong")),
    P("HTX-KHAUNUA", "HTX Nông nghiệp Khẩu Nua Lếch", "Hợp tác xã", "Hoàng Văn Sinh", "0912 301 002",
      "Bản Khuổi Luông", "01957", ("gao_nep", "gao")),
    P("HTX-NGOCTHANG", "HTX Chè Ngọc Thắng", "Hợp tác xã", "Ma Ngọc Thắng", "0912 301 003", "Thôn Nà Pài",
      "02041", ("che", "tra_xanh")),
    P("HTX-HADIEP", "HTX Hà Diệp", "Hợp tác xã", "Hà Thị Diệp", "0912 301 004", "Thôn Nà Cà", "02017",
      ("tra_hoa_vang", "tra_nu_voi", "giao_co_lam")),
    P("HTX-HONGBABE", "HTX Hồng không hạt Quảng Khê", "Hợp tác xã", "Nông Văn Khê", "0912 301 005",
      "Thôn Nà Mằm", "01924", ("hong", "hong_say")),
    P("THT-MATONG", "Tổ hợp tác Mật ong Bằng Thành", "Tổ hợp tác", "Lý Văn Thành", "0912 301 006",
      "Bản Khuổi Khí", "01858", ("mat_ong",)),
    P("HKD-MANGKHO", "Hộ kinh doanh Măng khô Cao Tân", "Hộ kinh doanh", "Hoàng Thị Tân", "0912 301 007",
      "Thôn Lủng Pjầu", "01885", ("mang", "moc_nhi")),
    P("HTX-NAMCUONG", "HTX Nông lâm nghiệp Nam Cường", "Hợp tác xã", "Lục Văn Cường", "0912 301 008",
      "Thôn Bản Cuôn", "02026", ("nam_huong", "moc_nhi")),
    P("HTX-THANHTAM", "HTX Rượu men lá Thanh Tâm", "Hợp tác xã", "Đinh Thị Tâm", "0912 301 009",
      "Thôn Khuổi Cuồng", "01849", ("ruou",)),
    P("HTX-BANGPHUC", "HTX Rượu Bằng Phúc", "Hợp tác xã", "Ma Văn Phúc", "0912 301 010", "Thôn Nà Bản",
      "01984", ("ruou", "ruou_mo")),
    P("HTX-NGHETHANHMAI", "HTX Tinh bột nghệ Thanh Mai", "Hợp tác xã", "Hà Thị Mai", "0912 301 011",
      "Thôn Bản Bó", "02101", ("nghe",)),
    P("HKD-CAMQUANGTHUAN", "Hộ kinh doanh Cam quýt Đồng Thắng", "Hộ kinh doanh", "Nông Văn Thắng",
      "0912 301 012", "Thôn Nà Chang", "02059", ("cam", "quyt")),
    P("HGD-PHUNGVANDAO", "Phùng Văn Dào", "Hộ gia đình", "Phùng Văn Dào", "0912 301 013", "Bản Nặm Đăm",
      "01909", ("thuoc_tam", "homestay")),
    P("HTX-YENCU", "HTX Dịch vụ nông nghiệp Yên Cư", "Hợp tác xã", "Triệu Văn Cư", "0912 301 014",
      "Thôn Khuổi Đeng", "02110", ("bun", "pho")),
    P("HTX-KIMLU", "HTX Nông sản Kim Lư", "Hợp tác xã", "Hoàng Văn Lư", "0912 301 015", "Thôn Nà Deng",
      "02158", ("mien", "mang")),
    P("HGD-LYTHIMAY", "Lý Thị May", "Hộ gia đình", "Lý Thị May", "0912 301 016", "Bản Phiêng Phàng", "01945",
      ("gao_nep", "mat_ong")),
    P("HTX-BANGLANG", "HTX Bằng Lãng", "Hợp tác xã", "Ma Thị Lãng", "0912 301 017", "Thôn Nà Pẻn", "02065",
      ("che", "mat_ong", "tra_muop")),
    P("DN-BACKANFOOD", "Công ty TNHH Nông sản Bắc Kạn", "Doanh nghiệp", "Nguyễn Văn Khang", "0912 301 018",
      "Tổ 5", "01837", ("gao", "tinh_bot_dong", "tra_bi_xanh")),
    P("HTX-VIHUONG", "HTX Chè Vi Hương", "Hợp tác xã", "Đàm Văn Hương", "0912 301 019", "Thôn Nà Lẹng",
      "01975", ("che", "tra_xanh")),
    P("THT-CHUHUONG", "Tổ hợp tác Hồng Chu Hương", "Tổ hợp tác", "Hoàng Thị Hương", "0912 301 020",
      "Thôn Bản Duống", "01921", ("hong", "cam")),
    P("HKD-NGHIATA", "Hộ kinh doanh Nấm Nghĩa Tá", "Hộ kinh doanh", "Lường Văn Tá", "0912 301 021",
      "Thôn Bản Lác", "02071", ("nam_huong", "moc_nhi")),
    P("HTX-CAMGIANG", "HTX Gạo Japonica Cẩm Giàng", "Hợp tác xã", "Hoàng Văn Giàng", "0912 301 022",
      "Thôn Nà Thác", "02008", ("gao", "gao_nep")),
    P("HTX-CULE", "HTX Miến dong Cư Lễ", "Hợp tác xã", "Triệu Thị Lễ", "0912 301 023", "Thôn Nà Đon", "02176",
      ("mien",)),
]

# family: (SKU stem, name, category, unit, variants [(net, price đ, weight g)], colour, shape)
FAMILIES: dict[str, tuple[str, str, str, str, list[tuple[str, int, int]], tuple[int, int, int], str]] = {
    "mien": ("MIEN", "Miến dong", "1.3.2", "gói",
             [("200 g", 28000, 230), ("500 g", 60000, 550), ("1 kg", 110000, 1080)],
             (230, 220, 190), "nest"),
    "bun": ("BUN", "Bún khô", "1.3.2", "gói", [("500 g", 35000, 540), ("1 kg", 65000, 1060)], (245, 240, 225), "nest"),
    "pho": ("PHO", "Phở khô", "1.3.2", "gói", [("500 g", 38000, 540)], (250, 245, 230), "nest"),
    "tinh_bot_dong": ("TBDONG", "Tinh bột dong riềng", "1.3.3", "gói", [("1 kg", 70000, 1050)], (240, 240, 240), "jar"),
    "gao_nep": ("NEP", "Gạo nếp Khẩu Nua Lếch", "1.2.1", "túi", [("1 kg", 58000, 1030), ("2 kg", 110000, 2050),
                                                              ("5 kg", 260000, 5100)],
                (235, 225, 200), "sack"),
    "gao": ("GAO", "Gạo Japonica Bắc Kạn", "1.2.1", "túi", [("5 kg", 150000, 5100)], (240, 235, 215), "sack"),
    "che": ("CHE", "Chè Shan tuyết", "1.5.1", "hộp",
            [("100 g", 120000, 150), ("200 g", 220000, 260), ("500 g", 480000, 600)],
            (120, 160, 90), "box"),
    "tra_xanh": ("TRAXANH", "Trà xanh búp", "1.5.1", "gói", [("200 g", 90000, 230), ("500 g", 210000, 560)],
                 (140, 180, 100), "box"),
    "tra_hoa_vang": ("HOAVANG", "Trà hoa vàng", "1.5.2", "hộp", [("50 g", 450000, 120)], (240, 200, 60), "flower"),
    "tra_nu_voi": ("NUVOI", "Trà nụ vối", "1.5.2", "hộp", [("200 g", 95000, 260)], (170, 140, 90), "box"),
    "giao_co_lam": ("GIAOCOLAM", "Trà giảo cổ lam", "1.5.2", "hộp", [("200 g", 150000, 260)], (90, 140, 80), "box"),
    "tra_muop": ("TRAMUOP", "Trà mướp đắng rừng", "1.5.2", "túi", [("200 g", 90000, 240)], (110, 150, 70), "box"),
    "tra_bi_xanh": ("TRABI", "Trà bí xanh thơm", "1.5.2", "hộp", [("250 g", 85000, 300)], (150, 190, 120), "box"),
    "hong": ("HONG", "Hồng không hạt Bắc Kạn", "1.1.1", "kg", [("1 kg", 45000, 1100), ("5 kg", 200000, 5400)],
             (240, 140, 40), "fruit"),
    "hong_say": ("HONGSAY", "Hồng sấy dẻo", "1.3.3", "hộp", [("500 g", 150000, 560)], (200, 110, 40), "fruit"),
    "mat_ong": ("MATONG", "Mật ong rừng", "1.2.2", "chai",
                [("250 ml", 190000, 450), ("500 ml", 350000, 800), ("1 lít", 650000, 1500)],
                (220, 160, 30), "bottle"),
    "mang": ("MANG", "Măng khô", "1.2.2", "gói", [("500 g", 180000, 540), ("1 kg", 340000, 1060)], (190, 170, 110),
             "sack"),
    "moc_nhi": ("MOCNHI", "Mộc nhĩ rừng", "1.2.2", "gói", [("200 g", 52000, 230), ("500 g", 120000, 540)],
                (80, 60, 50), "fungus"),
    "nam_huong": ("NAMHUONG", "Nấm hương rừng", "1.2.2", "gói", [("200 g", 85000, 230), ("500 g", 200000, 540)],
                  (150, 100, 60), "fungus"),
    "ruou": ("RUOU", "Rượu men lá", "2.1.1", "chai", [("500 ml", 80000, 900), ("1 lít", 150000, 1600)],
             (200, 220, 235), "bottle"),
    "ruou_mo": ("RUOUMO", "Rượu mơ", "2.1.2", "chai", [("500 ml", 120000, 900)], (230, 200, 120), "bottle"),
    "nghe": ("NGHE", "Tinh bột nghệ nếp đỏ", "1.3.3", "lọ", [("500 g", 250000, 600), ("200 g", 110000, 260)],
             (240, 170, 30), "jar"),
    "cam": ("CAM", "Cam sành Bắc Kạn", "1.1.1", "kg", [("1 kg", 30000, 1050)], (250, 150, 30), "fruit"),
    "quyt": ("QUYT", "Quýt Quang Thuận", "1.1.1", "kg", [("1 kg", 35000, 1050)], (255, 160, 20), "fruit"),
    "thuoc_tam": ("THUOCTAM", "Thuốc tắm người Dao", "3.3", "gói", [("200 g", 50000, 250)], (100, 130, 80), "sack"),
    "homestay": ("HOMESTAY", "Homestay Nam Mẫu (đêm/người)", "6.1", "suất", [("1 suất", 250000, 0)],
                 (120, 170, 210), "house"),
}
STARS = {("HTX-TAIHOAN", "MIEN-500"): (5, "2616/QĐ-UBND", date(2021, 12, 29), "Trung ương", 91),
         ("HTX-HADIEP", "HOAVANG-50"): (4, "1578/QĐ-UBND", date(2022, 9, 16), "Tỉnh", 78),
         ("HTX-NGOCTHANG", "CHE-100"): (4, "1578/QĐ-UBND", date(2022, 9, 16), "Tỉnh", 75),
         ("HTX-THANHTAM", "RUOU-500"): (4, "2341/QĐ-UBND", date(2023, 11, 28), "Tỉnh", 72),
         ("HTX-BANGPHUC", "RUOU-500"): (4, "2341/QĐ-UBND", date(2023, 11, 28), "Tỉnh", 71),
         ("HTX-NGHETHANHMAI", "NGHE-500"): (4, "2341/QĐ-UBND", date(2023, 11, 28), "Tỉnh", 74)}


def old_to_new() -> dict[str, str]:
    with (UNITS / "lineage.csv").open(encoding="utf-8") as fh:
        rows = sorted(csv.DictReader(fh), key=lambda r: r["partly"], reverse=True)
    return {r["old_code"]: r["new_code"] for r in rows}  # a whole successor wins over a partial one


def unit_names(scheme: str) -> dict[str, str]:
    with (UNITS / f"{scheme}.csv").open(encoding="utf-8") as fh:
        return {r["code"]: r["name"] for r in csv.DictReader(fh)}


def build(rng: random.Random) -> tuple[list[dict[str, object]], list[dict[str, object]], list[dict[str, object]]]:
    lineage, old_names, new_names = old_to_new(), unit_names("vn2004"), unit_names("vn2025")
    producers, products, certs = [], [], []
    for p in PRODUCERS:
        new = lineage[p.old_commune]
        producers.append({"producer_code": p.code, "producer_name": p.name, "kind": p.kind,
                          "representative": p.representative, "phone": p.phone, "address": p.address,
                          "commune": f"{new_names[new]} ({new})", "commune_old": f"{old_names[p.old_commune]} "
                          f"({p.old_commune})"})
        for family in p.goods:
            stem, name, category, unit, variants, _colour, _shape = FAMILIES[family]
            for net, price, weight in variants:
                size = net.split()[0]
                sku = f"{stem}-{size}" if family != "homestay" else stem
                label = f"{name} {net}" if family != "homestay" else name
                if p.code not in ("HTX-TAIHOAN",) and family in ("mien", "ruou", "mat_ong", "che"):
                    label += f" {p.name.split(' ', 2)[-1]}" if p.kind == "Hợp tác xã" else ""
                products.append({
                    "producer_code": p.code, "producer_name": p.name, "sku": sku, "name": label,
                    "description": f"{name} do {p.name} sản xuất tại {old_names[p.old_commune]}, Bắc Kạn.",
                    "category": category, "unit": unit, "net_qty": None if family == "homestay" else net,
                    "price": price + rng.choice((0, 0, 5000, -5000)), "stock": rng.randrange(10, 400, 5),
                    "weight_g": weight or None, "status": "Đang bán", "images": f"{sku}.jpg",
                    "_family": family})
                star = STARS.get((p.code, sku))
                if star is None and rng.random() < 0.3:
                    star = (3, f"{rng.randint(1100, 2900)}/QĐ-UBND",
                            date(rng.choice((2021, 2022, 2023, 2024)), rng.randint(1, 12), rng.randint(1, 28)),
                            "Huyện", rng.randint(52, 68))
                if star:
                    certs.append({"producer_code": p.code, "sku": sku, "stars": star[0], "decision_no": star[1],
                                  "decision_date": star[2], "issuing_level": star[3], "score": star[4],
                                  "cert_status": "Còn hiệu lực"})
    return producers, products, certs


def draw_photo(product: dict[str, object], rng: random.Random, *, gps: bool) -> bytes:
    family = str(product["_family"])
    _stem, _name, _cat, _unit, _variants, colour, shape = FAMILIES[family]
    side = rng.choice((800, 960, 1024, 1200))
    height = side if rng.random() < 0.7 else int(side * 0.75)
    bg = tuple(min(255, c + 40) for c in colour)
    img = Image.new("RGB", (side, height), bg)  # type: ignore[arg-type]
    draw = ImageDraw.Draw(img)
    cx, cy, r = side // 2, height // 2 - height // 10, min(side, height) // 4
    dark = tuple(max(0, c - 90) for c in colour)
    if shape in ("fruit", "fungus", "nest", "flower"):
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour, outline=dark, width=8)  # type: ignore[arg-type]
        if shape == "flower":
            for k in range(6):
                dx, dy = [(r, 0), (-r, 0), (0, r), (0, -r), (r // 1.4, r // 1.4), (-r // 1.4, -r // 1.4)][k]
                draw.ellipse((cx + dx - r // 2, cy + dy - r // 2, cx + dx + r // 2, cy + dy + r // 2),
                             fill=(250, 215, 60), outline=dark, width=4)
    elif shape == "bottle":
        draw.rectangle((cx - r // 2, cy - r // 2, cx + r // 2, cy + r), fill=colour, outline=dark, width=8)  # type: ignore[arg-type]
        draw.rectangle((cx - r // 6, cy - r, cx + r // 6, cy - r // 2), fill=dark)  # type: ignore[arg-type]
    elif shape == "house":
        draw.polygon([(cx - r, cy), (cx, cy - r), (cx + r, cy)], fill=dark)  # type: ignore[arg-type]
        draw.rectangle((cx - r + 20, cy, cx + r - 20, cy + r), fill=colour, outline=dark, width=8)  # type: ignore[arg-type]
    else:  # box, jar, sack
        draw.rounded_rectangle((cx - r, cy - r, cx + r, cy + r), radius=r // 5, fill=colour, outline=dark,  # type: ignore[arg-type]
                               width=8)
    font = ImageFont.truetype(str(FONT), size=max(28, side // 22))
    text = str(product["name"])
    box = draw.textbbox((0, 0), text, font=font)
    draw.text(((side - (box[2] - box[0])) // 2, height - height // 6), text, fill=(30, 30, 30), font=font)
    exif = Image.Exif()
    exif[0x010F] = "Samsung"
    exif[0x0110] = "Galaxy A12"
    exif[0x0132] = "2025:08:20 09:30:00"
    if gps:
        exif[0x8825] = {1: "N", 2: (22.0, 9.0, 36.0), 3: "E", 4: (105.0, 50.0, 24.0)}
    out = BytesIO()
    img.save(out, "JPEG", quality=72, exif=exif.tobytes(), optimize=True)
    return out.getvalue()


def main() -> None:
    rng = random.Random(SEED)
    producers, products, certs = build(rng)
    shutil.rmtree(OUT / "images", ignore_errors=True)
    (OUT / "images").mkdir(parents=True)
    for n, product in enumerate(products):
        # several producers sell a SKU such as MIEN-500, so the file name carries the producer too
        name = f"{product['producer_code']}_{product['sku']}.jpg"
        (OUT / "images" / name).write_bytes(draw_photo(product, rng, gps=n % 3 == 0))
        product["images"] = name
    rows = [{k: v for k, v in p.items() if not k.startswith("_")} for p in products]
    write_catalogue_workbook(OUT / "catalogue.xlsx", producers=producers, products=rows, certifications=certs,
                             created=FIXED)
    make_messy(producers, rows)
    total = sum(f.stat().st_size for f in (OUT / "images").glob("*.jpg"))
    print(f"{len(producers)} producers, {len(rows)} products, {len(certs)} certifications, "
          f"{total / 1e6:.1f} MB of images")


MESSY_README = """# The messy catalogue (on purpose)

Files that look like what support staff really receive.  The tests in
`tests/catalog/test_import_fixtures.py` import them and check every problem listed here.

## `san-pham-cp1258.csv` — exported by an old tool

* encoded in **cp1258** (Windows Vietnamese), **semicolon**-separated, one row per product with
  the producer's columns repeated; headers without diacritics ("Ten san pham", "Gia ban");
  cp1258 itself stores tone marks as separate combining characters (decomposed text);
* prices written `1.250.000 đ`, `125k`, `85.000`; phones without their leading zero
  (`912301101`);
* rows with deliberate errors:
  * row 5: price `-50.000` → `price.negative`;
  * row 6: unit `thúng to` → `unit.unknown`;
  * row 7: OCOP stars `6` → `stars.invalid`;
  * row 8: commune `Xã Côn Mnh` (typo) → `admin_unit.unknown` with the closest names;
  * row 9: SKU `MIEN-1` repeated from row 2 → `import.sku_repeated`;
  * row 10: price `12.500,5` (half a đồng) → `price.fraction`.

## `danh-muc-cu.xlsx` — an old workbook

* a **title block** (merged cells) above the header row, and a numbering row "(1) (2) (3)…" under it;
* product and producer names in **TCVN3** with the `.VnTime` font (`MiÕn dong`), converted
  and reported as warnings (`import.legacy_text`);
* a price computed by a **formula** (`=B1*2`-style, with its cached value);
* a cell beginning with `=` typed as text in the description, kept as text;
* descriptions in **NFD** (decomposed, as macOS writes them), stored NFC;
* an unknown column "Ghi chú nội bộ" → warning `import.column_unknown`;
* row 9: an empty SKU → `value.required`;
* the producer is named by its name only ("HTX Tài Hoan"): it is matched to the producer of that
  name already in the catalogue, not created twice.
"""


_TONES = "\u0300\u0301\u0303\u0309\u0323"


def cp1258_form(text: str) -> str:
    """Text as cp1258 holds it: letters with hat/breve/horn precomposed, tone marks combining."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in parts if c in _TONES)
        out.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES)) + tones)
    return "".join(out)


def make_messy(producers: list[dict[str, object]], products: list[dict[str, object]]) -> None:
    messy = OUT / "messy"
    messy.mkdir(parents=True, exist_ok=True)
    (messy / "README.md").write_text(MESSY_README, encoding="utf-8")
    header = ["Ma ho", "Ten ho san xuat", "So dien thoai", "Xa", "Ma SKU", "Ten san pham", "Gia ban", "DVT",
              "So luong", "Hang sao OCOP", "So quyet dinh", "Ngay quyet dinh"]
    nfd = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731
    hoan = ["HTX-CULEMOI", nfd("HTX Miến dong Côn Minh"), "912301101", "Xã Côn Minh"]
    rows = [
        [*hoan, "MIEN-1", nfd("Miến dong Côn Minh 1 kg"), "1.250.000 đ", "thùng", "12", "", "", ""],
        [*hoan, "MIEN-05", nfd("Miến dong Côn Minh 500 g"), "125k", "gói", "40", "3", "1234/QĐ-UBND", "15/06/2022"],
        [*hoan, "BUN-05", nfd("Bún khô 500 g"), "85.000", "gói", "30", "", "", ""],
        [*hoan, "TRA-01", nfd("Trà xạ đen"), "-50.000", "gói", "5", "", "", ""],
        [*hoan, "MANG-05", nfd("Măng khô 500 g"), "180.000 đ", "thúng to", "5", "", "", ""],
        [*hoan, "NAM-05", nfd("Nấm hương 500 g"), "200k", "gói", "5", "6", "99/QĐ-UBND", "01/02/2023"],
        ["HTX-KHAC", nfd("HTX Nông sản Côn Minh"), "912301199", "Xã Côn Mnh", "GAO-5", "Gạo 5 kg",
         "150.000", "túi", "5", "", "", ""],
        [*hoan, "MIEN-1", nfd("Miến dong lặp mã"), "100.000", "gói", "5", "", "", ""],
        [*hoan, "MOC-05", nfd("Mộc nhĩ 500 g"), "12.500,5", "gói", "5", "", "", ""],
    ]
    with (messy / "san-pham-cp1258.csv").open("w", encoding="cp1258", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(header)
        writer.writerows([[cp1258_form(cell) for cell in row] for row in rows])
    book = xlsxwriter.Workbook(str(messy / "danh-muc-cu.xlsx"))
    book.set_properties({"created": FIXED})
    sheet = book.add_worksheet("Sheet1")
    title = book.add_format({"bold": True, "align": "center", "font_size": 14})
    vn = book.add_format({"font_name": ".VnTime"})
    sheet.merge_range(0, 0, 0, 6, "DANH MỤC SẢN PHẨM OCOP HUYỆN NA RÌ NĂM 2024", title)
    sheet.merge_range(1, 0, 1, 6, "(Kèm theo báo cáo số 12/BC-UBND)", None)
    head = ["Tên hộ", "Mã SP", "Tên sản phẩm", "Đơn vị", "Giá", "Mô tả", "Ghi chú nội bộ"]
    sheet.write_row(3, 0, head)
    sheet.write_row(4, 0, [f"({n})" for n in range(1, len(head) + 1)])
    items = [("HTX Tài Hoan", "MIEN-500", "Miến dong Tài Hoan 500 g", "gói", 60000, "Miến dong đặc sản"),
             ("HTX Tài Hoan", "BUN-500", "Bún khô 500 g", "gói", 35000, "=Sản phẩm mới"),
             ("HTX Tài Hoan", "TBDONG-1", "Tinh bột dong riềng 1 kg", "gói", None, "Giá bằng hai lần bún"),
             ("HTX Tài Hoan", "", "Miến dong không mã", "gói", 50000, "")]
    for n, (who, sku, name, unit, price, note) in enumerate(items):
        r = 5 + n
        sheet.write_string(r, 0, encode_tcvn3(who), vn)
        sheet.write_string(r, 1, sku)
        sheet.write_string(r, 2, encode_tcvn3(name), vn)
        sheet.write_string(r, 3, unit)
        if price is None:
            sheet.write_formula(r, 4, "=E7*2", None, 70000)
        else:
            sheet.write_number(r, 4, price)
        sheet.write_string(r, 5, unicodedata.normalize("NFD", note))  # typed on a Mac: decomposed
        sheet.write_string(r, 6, "kiểm tra lại")
    book.close()
    del producers, products


if __name__ == "__main__":
    main()
