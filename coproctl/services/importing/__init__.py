"""Importing accounts: the call-for-funds export and the legacy extranet's accounts."""
