"""The engine and its faces: database, accounts, sync, orders, onboarding, ledger, CLI, web, sandbox."""
