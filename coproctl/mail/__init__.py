"""E-mail: the outbox, its transports and the French templates."""
