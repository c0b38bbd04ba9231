"""The onboarding register: households, their training and their marketplace accounts."""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = [
    "FORMATS",
    "MODES",
    "ONBOARDING_STEPS",
    "PLATFORMS",
    "REGISTER_COLUMNS",
    "REGISTER_SHEET",
    "UNKNOWN",
    "UNKNOWN_LABEL",
    "CandidateStatus",
    "FunnelReport",
    "FunnelStep",
    "Geography",
    "MergeCandidate",
    "RegisterImport",
    "Registration",
    "StepMembers",
    "StepSource",
    "TeamMember",
    "TrainingRecord",
    "account_households",
    "build_funnel",
    "export_member_households",
    "fast_phone",
    "funnel_cells",
    "funnel_table",
    "import_register",
    "keep_both",
    "load_geography",
    "member_by_phone",
    "merge_producers",
    "parse_platform",
    "personal_path",
    "platform_label",
    "trained_households",
    "write_funnel",
    "write_template",
]

if TYPE_CHECKING:
    from connector.onboarding.columns import REGISTER_COLUMNS, REGISTER_SHEET, fast_phone
    from connector.onboarding.exports import (
        FORMATS,
        export_member_households,
        funnel_cells,
        funnel_table,
        member_by_phone,
        personal_path,
        write_funnel,
        write_template,
    )
    from connector.onboarding.funnel import (
        ONBOARDING_STEPS,
        FunnelReport,
        FunnelStep,
        StepMembers,
        StepSource,
        account_households,
        build_funnel,
        trained_households,
    )
    from connector.onboarding.geography import UNKNOWN, UNKNOWN_LABEL, Geography, load_geography
    from connector.onboarding.importer import MODES, RegisterImport, import_register
    from connector.onboarding.merge import keep_both, merge_producers
    from connector.onboarding.models import CandidateStatus, MergeCandidate, Registration, TeamMember, TrainingRecord
    from connector.onboarding.platforms import PLATFORMS, parse_platform, platform_label


def __getattr__(name: str) -> object:
    """A declared name, loaded on first use (PEP 562): ``import connector.onboarding`` stays cheap."""
    if name in {"REGISTER_COLUMNS", "REGISTER_SHEET", "fast_phone"}:
        from connector.onboarding import columns

        value = getattr(columns, name)
    elif name in {"FORMATS", "export_member_households", "funnel_cells", "funnel_table", "member_by_phone",
        "personal_path", "write_funnel", "write_template"}:
        from connector.onboarding import exports

        value = getattr(exports, name)
    elif name in {"FunnelReport", "FunnelStep", "ONBOARDING_STEPS", "StepMembers", "StepSource",
        "account_households", "build_funnel", "trained_households"}:
        from connector.onboarding import funnel

        value = getattr(funnel, name)
    elif name in {"Geography", "UNKNOWN", "UNKNOWN_LABEL", "load_geography"}:
        from connector.onboarding import geography

        value = getattr(geography, name)
    elif name in {"MODES", "RegisterImport", "import_register"}:
        from connector.onboarding import importer

        value = getattr(importer, name)
    elif name in {"keep_both", "merge_producers"}:
        from connector.onboarding import merge

        value = getattr(merge, name)
    elif name in {"CandidateStatus", "MergeCandidate", "Registration", "TeamMember", "TrainingRecord"}:
        from connector.onboarding import models

        value = getattr(models, name)
    elif name in {"PLATFORMS", "parse_platform", "platform_label"}:
        from connector.onboarding import platforms

        value = getattr(platforms, name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # loaded once
    return value
