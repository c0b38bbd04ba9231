"""Marketplaces without an API: listing packs, manual binding, seller-centre order exports."""
