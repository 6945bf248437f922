"""The 上级交办 pages: the county issues work and follows it; a township accepts or declines it."""
