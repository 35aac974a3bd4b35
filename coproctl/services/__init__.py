"""The domain services: every rule of the product lives here, behind plain functions.

They take a :class:`~coproctl.backoffice.Backoffice` (settings, engine, key,
actor) and plain arguments, own their transaction, and raise
:class:`~coproctl.errors.CoproctlError` subclasses. No Typer, no Rich: the CLI is one
driver of these functions, a web front would be another.
"""
