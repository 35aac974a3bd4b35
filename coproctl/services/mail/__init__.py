"""Outgoing mail as staff and cron see it: deliver the queue, list, purge, preview."""
