"""Audit events are found by the identifiant's one lookup key (NFKC, case-folded), on both
engines: ``audit list --account``, ``owner export`` and ``owner erase`` find an event
written under a fullwidth or differently-cased identifiant, and the tag an attempt left
while no account had the identifiant; an e-mail's ``_`` or ``%`` matches only itself.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import text, update
from sqlmodel import select

from coproctl.models import Account, AuditEvent, audit_identifiant_key
from coproctl.services import audit
from tests.cli.conftest import Cli
from tests.staff.conftest import make_account

# how the trail held LEF001 before identifiants were NFKC keys (release 0001), or as a
# future face may type it: none of these lower()s or trim()s to "lef001"
TYPED = ("ＬＥＦ００１", "ｌｅｆ００１", " Lef001\u3000", "LEF００1")
EMAIL = "jean_dupont%@free.fr"  # a pattern's wildcards, each standing for itself here
LOOKALIKE = "jeanXdupontZ@free.fr"  # what LIKE '%jean_dupont%@free.fr%' also matches


def _record(office: Any, identifiant: str | None, action: str, **details: Any) -> None:
    """An event recorded under no account, as the trail's writer records it."""
    with office.uow() as uow:
        audit.record(uow.session, "guichet", action, "test", identifiant=identifiant, **details)
        uow.commit()


def _set_email(office: Any, identifiant: str, email: str) -> None:
    with office.uow() as uow:
        uow.session.execute(
            update(Account).where(Account.identifiant == identifiant).values(email=email)
        )
        uow.commit()


def _populate(cli: Cli, office: Any) -> None:
    # an attempt while no account had the identifiant: the trail keeps a tag, not the text
    login = cli("login", "ＬＥＦ００１", "--password-stdin", input="Tapé-au-hasard1\n")
    assert login.exit_code == 1, login.output
    make_account(cli, "LEF001", "C001", "Lefèvre")
    make_account(cli, "DUP002", "C002", "Dupont")
    _set_email(office, "LEF001", EMAIL)
    _set_email(office, "DUP002", LOOKALIKE)
    for number, typed in enumerate(TYPED):
        _record(office, typed, f"test.typed{number}")
    # another owner's events: found by no lookup of LEF001 or its owner
    _record(office, "DUP002", "test.other", email=LOOKALIKE)
    _record(office, "LEF0011", "test.other")
    _record(office, None, "test.other", note=LOOKALIKE)


def _actions(events: list[dict[str, Any]]) -> list[str]:
    return sorted(event["action"] for event in events)


EXPECTED = sorted(["account.create", "login", *(f"test.typed{n}" for n in range(len(TYPED)))])


def test_audit_list_finds_every_form_of_an_identifiant(cli: Cli, office: Any) -> None:
    _populate(cli, office)
    for typed in ("lef001", "ＬＥＦ００１", " LeF001 "):
        run = cli.json("audit", "list", "--account", typed)
        assert run.exit_code == 0, run.output
        assert _actions(run.data) == EXPECTED, typed
    # an identifiant no account has: its events as typed in any form, and its tag
    cli("login", "zzz9", "--password-stdin", input="Tapé-au-hasard1\n")
    _record(office, "ＺＺＺ９", "test.unknown")
    run = cli.json("audit", "list", "--account", "Zzz9")
    assert _actions(run.data) == ["login", "test.unknown"]


def test_owner_export_and_erase_miss_no_event(cli: Cli, office: Any) -> None:
    _populate(cli, office)
    run = cli("owner", "export", "C001")
    assert run.exit_code == 0, run.output
    exported = json.loads(run.stdout)["audit_events"]
    assert _actions(exported) == EXPECTED  # DUP002's, LEF0011's and the look-alike's left out
    assert LOOKALIKE not in run.stdout

    run = cli.json("owner", "erase", "C001", "--yes")
    assert run.exit_code == 0, run.output
    assert run.data["counts"]["audit_events"] == len(EXPECTED) + 1  # and owner.export
    pseudonym = run.data["accounts"][0]
    with office.uow() as uow:
        events = uow.session.exec(select(AuditEvent)).all()
        by_action = {event.action: event for event in events}
        for number in range(len(TYPED)):  # each form of the identifiant: pseudonymised
            event = by_action[f"test.typed{number}"]
            assert (event.identifiant, event.identifiant_key) == (pseudonym, pseudonym)
        assert by_action["login"].identifiant == pseudonym  # its tag too
        kept = sorted(event.identifiant or "" for event in events if event.action == "test.other")
        assert kept == ["", "DUP002", "LEF0011"]
        assert all(event.identifiant not in TYPED for event in events)
    run = cli.json("audit", "list", "--account", "LEF001")  # nothing leads back
    assert run.data == []


def test_the_migration_gives_existing_events_their_key(db_url: str) -> None:
    """Events written before 0002 (as typed) get the key at the upgrade, on both engines."""
    from coproctl import schema
    from coproctl.db import make_engine

    engine = make_engine(db_url)
    try:
        schema.upgrade(engine, "0001")
        with engine.begin() as conn:
            for typed in (*TYPED, None):
                conn.execute(
                    text(
                        "INSERT INTO audit_event (at, actor, identifiant, action, outcome, "
                        "details) VALUES ('2026-01-15 10:00:00', 'x', :typed, 'login', 'ok', '{}')"
                    ),
                    {"typed": typed},
                )
        schema.upgrade(engine)
        with engine.connect() as conn:
            keys = conn.execute(text("SELECT identifiant_key FROM audit_event")).scalars().all()
        assert sorted(keys, key=str) == sorted(["lef001"] * len(TYPED) + [None], key=str)
    finally:
        engine.dispose()


def test_every_writer_of_the_trail_fills_the_key(cli: Cli, office: Any, tmp_path: Any) -> None:
    """The ORM's events and the import's (written with Core, in bulk) carry the key."""
    _populate(cli, office)
    path = tmp_path / "appel.csv"
    path.write_text(
        "Identifiant;Mot de passe;Réf propriétaire;Nom\r\n"
        "ＩＭＰ００１;Kx7-Tilleul-42;C003;Bérard\r\n",
        encoding="utf-8",
    )
    run = cli.json("import", "calls-for-funds", str(path))
    assert run.exit_code == 0, run.output
    with office.uow() as uow:
        events = uow.session.exec(select(AuditEvent)).all()
    assert "import.account" in {event.action for event in events}
    assert all(e.identifiant_key == audit_identifiant_key(e.identifiant) for e in events)
    assert {e.identifiant_key for e in events if e.action == "import.account"} == {"imp001"}
