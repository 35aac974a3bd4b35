"""Keeping an instance in shape: ``init``, the cron purges, the migration statistics."""
