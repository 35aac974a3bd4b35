"""The Alembic migrations build exactly the schema the models describe, on both engines."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import coproctl.models  # noqa: F401  (registers the tables)
from coproctl import schema
from coproctl.db import current_revision, make_engine
from coproctl.migrations import HEAD


def test_head_constant_matches_the_scripts() -> None:
    assert schema.script_head() == HEAD


def test_migrations_leave_nothing_to_autogenerate(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        before, after = schema.upgrade(engine)
        assert before is None
        assert after == HEAD
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "render_as_batch": True}
            )
            diffs: list[Any] = compare_metadata(context, SQLModel.metadata)
        assert diffs == []
        # upgrading again is a no-op
        assert schema.upgrade(engine) == (HEAD, HEAD)
    finally:
        engine.dispose()


def test_commands_refuse_an_uninitialised_database(db_url: str) -> None:
    from coproctl.db import require_schema
    from coproctl.errors import NotInitialised

    engine = make_engine(db_url)
    try:
        assert current_revision(engine) is None
        with pytest.raises(NotInitialised):
            require_schema(engine, HEAD)
    finally:
        engine.dispose()
