"""From plan to documents: the ledger (.xlsx, .csv), evidence packs (.zip) and calendar feeds (.ics)."""
