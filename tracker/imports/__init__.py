"""Importing a plan from a report or a task table, reviewed before anything is created (issue 6)."""
