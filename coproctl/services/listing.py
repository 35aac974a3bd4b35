"""A page of a list and how many rows the whole list has, so that no face cuts a list
without saying so (``account list``, ``audit list``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import func, select
from sqlmodel import Session

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    total: int  # rows matching the filters, all pages together
    offset: int
    limit: int | None

    @property
    def complete(self) -> bool:
        return self.offset == 0 and len(self.rows) >= self.total

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": [row.as_dict() if hasattr(row, "as_dict") else row for row in self.rows],
            "total": self.total,
            "offset": self.offset,
            "limit": self.limit,
        }


def count_rows(session: Session, query: Any) -> int:
    """How many rows ``query`` (a select, before ordering and limits) returns."""
    return int(session.execute(select(func.count()).select_from(query.subquery())).scalar_one())


def window(query: Any, offset: int, limit: int | None) -> Any:
    if offset:
        query = query.offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return query


def page_of(rows: Sequence[T], total: int, offset: int, limit: int | None) -> Page[T]:
    return Page(list(rows), total, offset, limit)
