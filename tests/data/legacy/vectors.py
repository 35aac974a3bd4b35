"""The published vectors of vectors.json, for the tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

PATH = Path(__file__).with_name("vectors.json")


@dataclass(frozen=True)
class Vector:
    scheme: str
    password: str
    hash: str
    source: str
    salt: str | None = None
    construction: str | None = None
    latin1: bool = False
    over_72_bytes: bool = False

    @property
    def wrong(self) -> str:
        """A wrong password that differs in its first byte (DES reads 8, bcrypt 72)."""
        first = "Z" if self.password[:1] != "Z" else "Y"
        return first + self.password[1:]

    @property
    def options(self) -> dict[str, str | None]:
        return {"construction": self.construction, "salt": self.salt}

    @property
    def id(self) -> str:
        return f"{self.scheme}:{self.hash[:24]}"


def load() -> list[Vector]:
    data = json.loads(PATH.read_text(encoding="utf-8"))
    fields = set(Vector.__dataclass_fields__)
    return [Vector(**{k: v for k, v in item.items() if k in fields}) for item in data["vectors"]]


VECTORS = load()
