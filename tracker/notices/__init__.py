"""The notification centre and the reminder settings pages (issue 4)."""
