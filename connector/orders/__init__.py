"""Orders pulled from marketplaces or imported from seller-centre exports: bookmarks, status history."""
