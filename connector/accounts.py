"""Marketplace accounts: a producer's shop on one marketplace, one entity whoever records it.

The onboarding register records the account (platform, shop id or login phone, opened date,
status).  When the connector may act for the shop, the same row also carries the base URL, the
generic profile name, encrypted credentials and the per-channel rules.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import SecretStr
from sqlalchemy import JSON, DateTime, Index, UniqueConstraint
from sqlmodel import Column, Field, Session, SQLModel, col, select

from catalog.clock import utcnow
from catalog.errors import CatalogueValidationError, NotFoundError
from catalog.producers import Producer
from connector.secrets import decrypt_credentials, encrypt_credentials


class AccountStatus(StrEnum):
    pending = "pending"  # being opened
    active = "active"
    suspended = "suspended"
    closed = "closed"


class MarketplaceAccountBase(SQLModel):
    name: str = Field(max_length=60, regex=r"^[a-z0-9][a-z0-9._\-]*$", description="Short name used on the CLI")
    marketplace: str = Field(max_length=40, description="An adapter key: voso, postmart, generic…")
    shop_id: str | None = Field(default=None, max_length=80)
    login_phone: str | None = Field(default=None, max_length=16)
    opened_on: date | None = None
    status: AccountStatus = AccountStatus.active
    base_url: str | None = Field(default=None, max_length=300)
    profile: str | None = Field(default=None, max_length=80, description="Generic adapter profile name")


class MarketplaceAccount(MarketplaceAccountBase, table=True):
    __tablename__ = "marketplace_account"
    __table_args__ = (UniqueConstraint("name", name="uq_account_name"),
                      # the funnel's holders per platform, read in index order
                      Index("ix_marketplace_account_holding", "marketplace", "status", "opened_on", "producer_id"))

    id: int | None = Field(default=None, primary_key=True)
    producer_id: int = Field(foreign_key="producer.id", index=True)
    credentials_encrypted: str | None = Field(default=None, repr=False)
    rules: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    onboarded_by: int | None = Field(default=None, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))

    @property
    def connected(self) -> bool:
        """True when the connector may act for this shop (it holds credentials)."""
        return self.credentials_encrypted is not None


def platform_name(account: MarketplaceAccount) -> str:
    """The platform ``account`` counts under, in every account figure, order, ledger entry and report."""
    return platform_of_columns(account.marketplace, account.profile)


def platform_of_columns(marketplace: str, profile: str | None) -> str:
    """The one rule, on an account's stored columns (for queries that read rows, not accounts).

    An account driven by a marketplace profile (the generic adapter: ``marketplace`` is the adapter
    key ``generic``) counts under the marketplace the profile describes, named by the profile
    (``sandbox``, ``lazada``…); any other account counts under its marketplace (``voso``,
    ``postmart``, or a platform the onboarding register recorded: ``facebook``…).  Without this,
    the generic marketplace's accounts counted under ``generic`` and its orders under ``sandbox``.
    """
    return profile or marketplace


def get_account(*, session: Session, name: str) -> MarketplaceAccount:
    account = session.exec(select(MarketplaceAccount).where(MarketplaceAccount.name == name)).first()
    if account is None:
        raise NotFoundError(entity="account", key=name)
    return account


def list_accounts(*, session: Session, marketplace: str | None = None) -> list[MarketplaceAccount]:
    query = select(MarketplaceAccount).order_by(col(MarketplaceAccount.name))
    if marketplace:
        query = query.where(MarketplaceAccount.marketplace == marketplace)
    return list(session.exec(query))


def set_credentials(*, account: MarketplaceAccount, credentials: dict[str, str], key: SecretStr | None) -> None:
    if not credentials:
        raise CatalogueValidationError("value.required", column="credentials")
    account.credentials_encrypted = encrypt_credentials(credentials, key=key)


def credentials_of(*, account: MarketplaceAccount, key: SecretStr | None) -> dict[str, str]:
    if account.credentials_encrypted is None:
        return {}
    return decrypt_credentials(account.credentials_encrypted, key=key)


def create_account(
    *,
    session: Session,
    name: str,
    producer: Producer,
    marketplace: str,
    credentials: dict[str, str],
    key: SecretStr | None,
    base_url: str | None = None,
    profile: str | None = None,
    rules: dict[str, Any] | None = None,
) -> MarketplaceAccount:
    """Connect a shop: a new account, or an account the onboarding register recorded without
    credentials (same producer and marketplace) that now gets them."""
    existing = session.exec(select(MarketplaceAccount).where(MarketplaceAccount.name == name)).first()
    if existing is not None and (existing.connected or existing.producer_id != producer.id
                                 or existing.marketplace != marketplace):
        raise CatalogueValidationError("sync.account_exists", column="name", value=name)
    assert producer.id is not None
    account = existing or MarketplaceAccount.model_validate(
        {"name": name, "marketplace": marketplace, "producer_id": producer.id})
    account.base_url = base_url or account.base_url
    account.profile = profile or account.profile
    if rules is not None:
        account.rules = rules
    set_credentials(account=account, credentials=credentials, key=key)
    session.add(account)
    session.flush()
    return account


def account_references(*, session: Session, account: MarketplaceAccount) -> dict[str, int]:
    """Rows of other tables pointing at ``account`` (bindings, orders, register…), by table."""
    from sqlalchemy import func
    from sqlalchemy import select as sa_select

    counts: dict[str, int] = {}
    for table in SQLModel.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == MarketplaceAccount.__tablename__:
                count = session.execute(sa_select(func.count()).select_from(table)
                                        .where(fk.parent == account.id)).scalar_one()
                if count:
                    counts[table.name] = counts.get(table.name, 0) + int(count)
    return counts
