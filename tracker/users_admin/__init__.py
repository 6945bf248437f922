"""The users_admin pages."""
