"""Reminders (催办/督办): rules, the sweep, immediate notices, digests, channels and the outbox."""
