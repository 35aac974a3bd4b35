"""The import's stages hand values forward: no stage imports a later one (so none can call
back into an earlier one's caller), and the plan is not changed by the stages after it."""

from __future__ import annotations

import ast
import copy
import csv
import io
from pathlib import Path

import pytest

from coproctl.importers.reader import read_csv
from coproctl.services.importing.compare import Context, Stored, compare
from coproctl.services.importing.kinds import CALLS_FOR_FUNDS
from coproctl.services.importing.plan import build_plan

PACKAGE = Path(__file__).resolve().parents[2] / "coproctl" / "services" / "importing"
# each stage, and the stages that come after it
STAGES = ["plan", "compare", "write", "run"]


def imported(module: str) -> set[str]:
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.rsplit(".", 1)[-1])
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name.rsplit(".", 1)[-1] for alias in node.names)
    return found


@pytest.mark.parametrize("stage", STAGES[:-1])
def test_a_stage_never_imports_a_later_one(stage: str) -> None:
    later = set(STAGES[STAGES.index(stage) + 1 :])
    assert imported(stage) & later == set()


def test_the_check_sees_a_backward_call() -> None:
    assert "plan" in imported("compare")  # compare reads the plan's drafts
    assert "compare" in imported("write")


def test_comparing_leaves_the_plan_as_it_was() -> None:
    from coproctl import clock

    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["Identifiant", "Mot de passe", "Réf. copropriétaire", "Nom", "Lot"])
    writer.writerows(
        [
            ["A1", "Qm4xT7pLr2Wz", "C1", "Dupont", "1"],
            ["A2", "abc", "C1", "Dupont", "2"],  # refused by compare (a new account)
            ["B1", "Vw3kR8nHs5Tq", "C2", "Martin", "1"],
        ]
    )
    table = read_csv(
        out.getvalue().encode(),
        allowed=CALLS_FOR_FUNDS.allowed,
        required=CALLS_FOR_FUNDS.required_columns,
    )
    plan = build_plan(table, CALLS_FOR_FUNDS)
    before = copy.deepcopy(plan)
    changes = compare(plan.owners, Stored({}, {}), Context(CALLS_FOR_FUNDS, False, clock.now()), {})
    assert [n.identifiant for n in changes.rejected] == ["A2"]
    assert len(changes.jobs) == 2
    assert not changes.complete  # the hashes are still to compute
    assert plan == before
