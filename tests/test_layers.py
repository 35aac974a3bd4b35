"""The layers import downwards only: faces (cli, web) over services over mail and the
back office; services import no face, faces never import each other, mail never imports
services. Checked on every module's import statements (module-level and inside functions).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "coproctl"

# package (first path part under coproctl/) -> packages it must never import
FORBIDDEN = {
    "services": {"cli", "web"},
    "mail": {"services", "cli", "web"},
    "security": {"services", "mail", "cli", "web"},
    "importers": {"services", "mail", "cli", "web"},
    "cli": {"web"},
    "web": {"cli"},
    "backoffice.py": {"services", "mail", "cli", "web"},
    "db.py": {"services", "mail", "cli", "web"},
    "models.py": {"services", "mail", "cli", "web"},
    "config.py": {"services", "mail", "cli", "web"},
}


def imported_packages(path: Path) -> set[str]:
    """The coproctl sub-packages (or top modules) a file imports, anywhere in it."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
            if node.module == "coproctl":
                names = [f"coproctl.{alias.name}" for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "coproctl" and len(parts) > 1:
                found.add(parts[1])
    return found


def layer_of(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.name


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_go_downwards(path: Path) -> None:
    forbidden = FORBIDDEN.get(layer_of(path), set())
    wrong = {name.removesuffix(".py") for name in forbidden} & imported_packages(path)
    assert not wrong, f"{path.relative_to(PACKAGE)} imports {sorted(wrong)}"


def test_the_check_sees_a_wrong_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from coproctl.services.office import open_backoffice\n")
    assert imported_packages(sample) == {"services"}
