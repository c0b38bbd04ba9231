"""Every table of the project, imported in one place so ``SQLModel.metadata`` is complete
(for Alembic and for tests).  Add new tables here: each comes from its room's declared names (the
web app's logins are core tables, :mod:`connector.users`, so this module imports no face)."""

from __future__ import annotations

from sqlmodel import SQLModel

from catalog.admin_units import AdminUnit, UnitLineage
from catalog.audit import AuditEntry
from catalog.categories import Category, CategoryMapping
from catalog.importing import CatalogueChange, ImportFingerprint
from catalog.ocop import OcopCertification
from catalog.producers import Producer
from catalog.products import Product, ProductImage
from connector.accounts import MarketplaceAccount
from connector.ledger import LedgerEntry, LedgerSummary, PeriodClose, ReportedTotal, StockMovement
from connector.listings import PackSnapshot
from connector.meta import Meta
from connector.onboarding import MergeCandidate, Registration, TeamMember, TrainingRecord
from connector.orders import OrderBookmark, OrderLine, OrderStatusChange, SalesOrder
from connector.sync import Binding, RemoteImage, SyncLease
from connector.users import LoginAttempt, OneTimeCode, WebSession, WebUser

TABLES: tuple[type[SQLModel], ...] = (
    AdminUnit, UnitLineage, AuditEntry, Category, CategoryMapping, CatalogueChange, ImportFingerprint,
    OcopCertification, Producer, Product, ProductImage, MarketplaceAccount, LedgerEntry, LedgerSummary, PeriodClose,
    ReportedTotal, StockMovement, PackSnapshot, Meta, MergeCandidate, Registration, TeamMember, TrainingRecord,
    OrderBookmark, OrderLine, OrderStatusChange, SalesOrder, Binding, RemoteImage, SyncLease, LoginAttempt,
    OneTimeCode, WebSession, WebUser,
)
metadata = SQLModel.metadata
