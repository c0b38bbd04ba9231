"""Tables of the sync engine: bindings, remote image refs, and the per-account lease.

A :class:`Binding` links a product to its listing on one account (OCA's binding): the remote id,
the hash of what was last sent, the versions it was built from, the image refs, and two things
kept apart on purpose:

- ``state``, the listing's *marketplace state* (live, pending review, rejected, delisted): only an
  answer of the marketplace changes it, so the official counts ("products listed", the funnel's
  "with an active listing") never move because a push failed, a network went down or a credential
  expired;
- the *last push result* (``push_result``, ``push_error``, ``pushed_at``): ok, failed with the
  reason, or refused by the marketplace, and when.

A create is recorded (``pending_create``, with the hash about to be sent) and committed before
its request leaves, so a crash can always be resolved by a look-up by SKU.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, DateTime, UniqueConstraint
from sqlmodel import Column, Field, SQLModel

from catalog.clock import utcnow


class BindingState(StrEnum):
    """Where the listing stands on the marketplace, as the marketplace last said."""

    pending_create = "pending_create"  # not listed yet: recorded before the create request; resolved by find_by_sku
    active = "active"  # live: on sale
    pending_review = "pending_review"  # the marketplace reviews it before it goes on sale
    rejected = "rejected"  # refused before it went on sale (validation or review); ``last_error`` says why
    delisted = "delisted"  # off sale (taken down by us, or no longer found on the marketplace)


class PushResult(StrEnum):
    """How the last push (create, update, stock/price, delist) ended; never the listing's state."""

    ok = "ok"
    failed = "failed"  # did not get through (network, credentials, server error…): retried by the next run
    refused = "refused"  # the marketplace refused this content: waits for a change of content


class Binding(SQLModel, table=True):
    __tablename__ = "binding"
    __table_args__ = (
        UniqueConstraint("account_id", "product_id", name="uq_binding_account_product"),
        UniqueConstraint("account_id", "remote_id", name="uq_binding_account_remote"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="marketplace_account.id", index=True)
    product_id: int = Field(foreign_key="product.id", index=True)
    remote_id: str | None = Field(default=None, max_length=128)
    remote_url: str | None = Field(default=None, max_length=500)
    state: BindingState = Field(default=BindingState.pending_create, max_length=20)
    payload_hash: str | None = Field(default=None, max_length=64)  # of what the remote holds
    pending_hash: str | None = Field(default=None, max_length=64)  # of the create/update in flight
    plan_key: str | None = Field(default=None, max_length=32)  # versions + rules + mapping + images it was built from
    content_version: int | None = None
    stock_version: int | None = None
    payload: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    image_refs: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    last_error: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))  # its reasons
    attempts: int = 0  # consecutive failed attempts
    push_result: str | None = Field(default=None, max_length=10)  # a PushResult; None: never pushed
    push_error: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))  # why it failed
    pushed_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    last_synced_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    manual: bool = False  # bound by hand from a listing pack (the engine never creates it)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class RemoteImage(SQLModel, table=True):
    """An image variant as one account's marketplace knows it, uploaded once and reused."""

    __tablename__ = "remote_image"
    __table_args__ = (UniqueConstraint("account_id", "sha256", name="uq_remote_image_account_sha"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="marketplace_account.id", index=True)
    sha256: str = Field(max_length=64)  # of the prepared variant
    kind: str = Field(max_length=8)  # "id" or "url"
    value: str = Field(max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class SyncLease(SQLModel, table=True):
    """Who acts on an account right now; a lease past ``expires_at`` is free to take."""

    __tablename__ = "sync_lease"

    account_id: int = Field(foreign_key="marketplace_account.id", primary_key=True)
    holder: str = Field(max_length=200)
    purpose: str = Field(default="sync", max_length=40)
    acquired_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
