"""Disconnecting a marketplace account: the sync's side of it.

An account's bindings, image references and lease belong to the sync engine, so removing an
account lives here, above :mod:`connector.accounts` (which knows nothing of the sync's tables).
"""

from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import Session

from catalog.errors import CatalogueValidationError
from connector.accounts import MarketplaceAccount, account_references
from connector.sync.models import Binding, RemoteImage, SyncLease

SYNC_TABLES = ("binding", "remote_image", "sync_lease")


def remove_account(*, session: Session, account: MarketplaceAccount, force: bool = False) -> bool:
    """Disconnect ``account``: credentials, and with ``force`` its bindings and image refs.

    The row itself is deleted when nothing else (orders, the register) refers to it; returns
    whether it was.  Without ``force`` an account with bindings is refused.
    """
    references = account_references(session=session, account=account)
    if references.get("binding") and not force:
        raise CatalogueValidationError("sync.account_bound", account=account.name, count=references["binding"])
    for model in (Binding, RemoteImage, SyncLease):
        session.execute(delete(model).where(model.account_id == account.id))  # type: ignore[arg-type]
    others = {table: n for table, n in references.items() if table not in SYNC_TABLES}
    account.credentials_encrypted = None
    if others:
        session.add(account)
        session.flush()
        return False
    session.delete(account)
    session.flush()
    return True
