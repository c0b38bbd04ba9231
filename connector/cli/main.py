"""The ``agri`` command: noun, then verb (``agri products list``).  Each noun lives in its own
module under ``connector/cli/`` and is registered in :data:`NOUNS`; the commands are thin faces
over the service functions of ``catalog`` and ``connector``."""

from __future__ import annotations

import importlib

import typer

import connector.cli.producers_admin  # noqa: F401  (adds merge/keep-both/candidates to producers_app)
from connector.cli import catalogue, system

app = typer.Typer(
    name="agri",
    help="agri-connector: một danh mục, nhiều sàn, một sổ bán hàng. "
    "One catalogue, many marketplaces, one ledger.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# (module under connector.cli, noun, help). A module whose feature has not landed is skipped.
NOUNS: list[tuple[str, str, str]] = [
    ("catalogue", "producers", "Hộ sản xuất / chủ thể OCOP. Producers."),
    ("catalogue", "products", "Sản phẩm. Products."),
    ("catalogue", "units", "Đơn vị hành chính (vn2004, vn2025). Administrative units."),
    ("images", "images", "Ảnh sản phẩm. Product images."),
    ("media", "media", "Máy phục vụ ảnh đã chuẩn bị cho sàn. Prepared-image server."),
    ("catalog_cmd", "catalog", "Nhập/xuất danh mục từ Excel. Catalogue import and export."),
    ("onboarding", "onboarding", "Sổ đăng ký hộ, tập huấn, tài khoản sàn. Onboarding register."),
]

system.register(app)
for module_name, noun, help_text in NOUNS:
    module = importlib.import_module(f"connector.cli.{module_name}")
    app.add_typer(getattr(module, f"{noun}_app"), name=noun, help=help_text)

_ = catalogue


def run() -> None:
    app()
