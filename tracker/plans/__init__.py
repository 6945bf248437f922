"""The plans pages."""
