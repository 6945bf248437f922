"""Downloads (ledger, evidence packs) and calendar feeds (issue 6)."""
