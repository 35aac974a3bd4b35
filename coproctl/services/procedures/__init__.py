"""The owners' procedures (guide): first connection (update), forgotten password, settings;
the codes they send and check, the credentials they start from, the notices they queue."""
