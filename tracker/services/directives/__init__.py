"""上级交办: a county's committee issues work to its townships; a township accepts it into its plan or declines."""
