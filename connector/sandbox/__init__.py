"""Simulated marketplaces (voso, postmart, generic) for tests and the demo; the engine never imports this."""
