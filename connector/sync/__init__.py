"""The sync engine: channel rules, bindings, plan_sync, apply_plan, the per-account lease."""
