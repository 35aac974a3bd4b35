"""Alembic migrations, shipped inside the package so ``coproctl init`` can upgrade its own database.

``HEAD`` is the revision the code expects; commands compare it with the database's without
loading Alembic (a test keeps it equal to the scripts' head).
"""

HEAD = "0002"
