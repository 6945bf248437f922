"""Domain verbs: they validate, change the session and flush; callers commit."""
