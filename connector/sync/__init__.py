"""The sync engine: channel rules, bindings, plan_sync, apply_plan, the per-account lease."""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = [
    "ACTION_LABELS",
    "OUTCOME_LABELS",
    "AccountPlan",
    "Action",
    "Binding",
    "BindingState",
    "ChannelRules",
    "ImageSource",
    "ItemResult",
    "Outcome",
    "PlannedItem",
    "PushResult",
    "RemoteImage",
    "SyncLease",
    "SyncReport",
    "apply_plan",
    "listing_steps",
    "plan_sync",
    "remove_account",
    "sync_accounts",
    "write_report",
]

if TYPE_CHECKING:
    from connector.sync.accounts import remove_account
    from connector.sync.apply import apply_plan
    from connector.sync.engine import sync_accounts
    from connector.sync.funnel_steps import listing_steps
    from connector.sync.images import ImageSource
    from connector.sync.models import Binding, BindingState, PushResult, RemoteImage, SyncLease
    from connector.sync.plan import ACTION_LABELS, AccountPlan, Action, PlannedItem, plan_sync
    from connector.sync.report import OUTCOME_LABELS, ItemResult, Outcome, SyncReport, write_report
    from connector.sync.rules import ChannelRules


def __getattr__(name: str) -> object:
    """A declared name, loaded on first use (PEP 562): ``import connector.sync`` stays cheap."""
    if name in {"remove_account"}:
        from connector.sync import accounts

        value = getattr(accounts, name)
    elif name in {"apply_plan"}:
        from connector.sync import apply

        value = getattr(apply, name)
    elif name in {"sync_accounts"}:
        from connector.sync import engine

        value = getattr(engine, name)
    elif name in {"listing_steps"}:
        from connector.sync import funnel_steps

        value = getattr(funnel_steps, name)
    elif name in {"ImageSource"}:
        from connector.sync import images

        value = getattr(images, name)
    elif name in {"Binding", "BindingState", "PushResult", "RemoteImage", "SyncLease"}:
        from connector.sync import models

        value = getattr(models, name)
    elif name in {"ACTION_LABELS", "AccountPlan", "Action", "PlannedItem", "plan_sync"}:
        from connector.sync import plan

        value = getattr(plan, name)
    elif name in {"ItemResult", "OUTCOME_LABELS", "Outcome", "SyncReport", "write_report"}:
        from connector.sync import report

        value = getattr(report, name)
    elif name in {"ChannelRules"}:
        from connector.sync import rules

        value = getattr(rules, name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # loaded once
    return value
