"""The web app: server-rendered pages for cooperatives, support staff and the province; the JSON API.

``create_app()`` (:mod:`connector.web.app`) builds it; ``agri serve`` runs it.  A thin face over
the same service functions as the CLI:

    page / API                                   service
    /products, /api/products[/{id}]              catalog.products (update_product), scope.visible_products
    /products/{id}/photos                        catalog.image_store.ImageStore (services.add_product_photo)
    /catalogue/check|confirm, /api/catalogue/…   catalog.importing.import_catalogue
    /catalogue/export.xlsx, /template.xlsx       catalog.importing.template (export_catalogue, write_template)
    /field/household, /api/onboarding/…          connector.onboarding.importer.import_register (one row)
    /field/merges                                connector.onboarding.merge (merge_producers, keep_both)
    /home                                        orders (SalesOrder), sync (Binding) tables
    /listings, /listings/pack, /listings/bind    connector.sync.models, connector.listings (build_pack, bind_manually)
    /sync, /sync/runs/{id}, /api/sync            connector.sync.engine.sync_accounts (runs.SyncRuns)
    /sales, /api/sales, /api/reported-totals     connector.ledger.sales.import_sales, ledger.reported
    /province, /province/export.xlsx             onboarding.funnel, ledger.reports/indicators/reported
    /logins, agri users                          connector.web.auth (argon2, sessions, one-time codes)

Every query goes through :class:`connector.web.scope.Principal`: an object outside the user's
scope is "not found".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = [
    "NewUser",
    "create_app",
    "create_user",
    "get_user",
    "hash_password",
    "issue_code",
    "list_users",
    "parse_role",
    "set_password",
]

if TYPE_CHECKING:
    from connector.web.app import create_app
    from connector.web.auth import (
        NewUser,
        create_user,
        get_user,
        hash_password,
        issue_code,
        list_users,
        parse_role,
        set_password,
    )


def __getattr__(name: str) -> object:
    """A declared name, loaded on first use (PEP 562): ``import connector.web`` stays cheap."""
    if name in {"create_app"}:
        from connector.web import app

        value = getattr(app, name)
    elif name in {"NewUser", "create_user", "get_user", "hash_password", "issue_code", "list_users", "parse_role",
        "set_password"}:
        from connector.web import auth

        value = getattr(auth, name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # loaded once
    return value
