"""The ``agri`` command: noun, then verb (``agri products list``).  Each noun lives in its own
module under ``connector/cli/`` and is registered in :data:`NOUNS`; the commands are thin faces
over the service functions of ``catalog`` and ``connector``."""

from __future__ import annotations

import importlib
import sys

import typer

from connector.cli import system
from connector.cli.guard import GuardedGroup, say_escaped, wants_json
from connector.cli.output import ExitCode, report_error
from connector.cli.usage import ClickException, NoArgsIsHelpError, UsageError, as_error
from connector.console import err_console
from connector.settings import debug_enabled

app = typer.Typer(
    name="agri",
    help="agri-connector: một danh mục, nhiều sàn, một sổ bán hàng. "
    "One catalogue, many marketplaces, one ledger.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=GuardedGroup,
)

# (module under connector.cli, noun, help).
NOUNS: list[tuple[str, str, str]] = [
    ("catalog", "producers", "Hộ sản xuất / chủ thể OCOP. Producers."),
    ("catalog", "products", "Sản phẩm. Products."),
    ("units", "units", "Đơn vị hành chính (vn2004, vn2025). Administrative units."),
    ("images", "images", "Ảnh sản phẩm. Product images."),
    ("media", "media", "Máy phục vụ ảnh đã chuẩn bị cho sàn. Prepared-image server."),
    ("catalog", "catalog", "Nhập/xuất danh mục từ Excel. Catalogue import and export."),
    ("onboarding", "onboarding", "Sổ đăng ký hộ, tập huấn, tài khoản sàn. Onboarding register."),
    ("categories", "categories", "Ngành hàng OCOP và mã ngành trên từng sàn. Categories and their marketplace ids."),
    ("accounts", "accounts", "Tài khoản sàn mà hệ thống được phép thao tác. Connected marketplace accounts."),
    ("sync", "sync", "Đồng bộ sản phẩm lên các sàn. Push the catalogue to the marketplaces."),
    ("orders", "orders", "Đơn hàng từ các sàn. Marketplace orders."),
    ("sales", "sales", "Bán hàng qua kênh không có API. Sales on channels without an API."),
    ("ledger", "ledger", "Sổ bán hàng: khóa kỳ, điều chỉnh. The sales ledger."),
    ("report", "report", "Báo cáo doanh thu và chỉ tiêu. Turnover and indicator reports."),
    ("listings", "listings", "Gói đăng bán thủ công và gắn liên kết. Listing packs and manual binding."),
    ("users", "users", "Người dùng ứng dụng web. Web app users."),
]

# Modules adding top-level commands through ``register(app)`` (agri sandbox, agri worker, agri serve).
COMMANDS: list[str] = ["sandbox", "worker", "serve"]


system.register(app)
for module_name, noun, help_text in NOUNS:
    module = importlib.import_module(f"connector.cli.{module_name}")
    app.add_typer(getattr(module, f"{noun}_app"), name=noun, help=help_text)
for module_name in COMMANDS:
    importlib.import_module(f"connector.cli.{module_name}").register(app)


def run(argv: list[str] | None = None) -> None:
    """The ``agri`` entry point.  Click's own usage messages (English, plain text even with
    ``--json``) are replaced by registered errors in the user's language."""
    args = sys.argv[1:] if argv is None else argv
    try:
        outcome = app(args=args, prog_name="agri", standalone_mode=False)
    except NoArgsIsHelpError as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except UsageError as exc:
        report_error(as_error(exc), json_mode=wants_json(args))
        sys.exit(int(ExitCode.USAGE))
    except typer.Abort:
        err_console.print("Đã hủy. / Aborted.")
        sys.exit(int(ExitCode.PARTIAL))
    except ClickException as exc:  # e.g. a file argument Click itself could not open
        exc.show()
        sys.exit(exc.exit_code)
    except Exception as exc:  # raised before any command ran (the group says what a command lets escape)
        if debug_enabled():
            raise
        sys.exit(say_escaped(exc, json_mode=wants_json(args)))
    sys.exit(outcome if isinstance(outcome, int) else 0)


if __name__ == "__main__":
    run()
