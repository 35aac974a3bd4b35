"""Secrets: password hashing, the password policy, verification codes, the instance key."""
