"""Staff actions on accounts: create, look up, list, reset, lock, unlock, disable, enable,
link to another owner. Every action is audited with the actor's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from coproctl import clock, inputs
from coproctl.addresses import InvalidEmail, normalise_email
from coproctl.backoffice import Backoffice
from coproctl.errors import BadInput, Refused
from coproctl.folding import search_words
from coproctl.models import (
    ACTIVE,
    DISABLED,
    ORIGIN_OWNER,
    ORIGIN_SYNDIC,
    PENDING,
    STATUSES,
    Account,
    Owner,
)
from coproctl.security import passwords
from coproctl.services import audit
from coproctl.services.common import find_account, get_account, owner_of
from coproctl.services.listing import Page, count_rows, window
from coproctl.services.owners.locks import FAILED_LOGINS, STAFF, lock_reason
from coproctl.services.owners.views import AccountView, account_views, detailed_view
from coproctl.services.procedures import notifications
from coproctl.services.procedures.codes import supersede_all


@dataclass(frozen=True)
class NewAccount:
    """A created or reset account; ``initial_password`` is set only when it was generated."""

    account: AccountView
    initial_password: str | None

    def as_dict(self) -> dict[str, Any]:
        data = self.account.as_dict()
        if self.initial_password is not None:
            data["initial_password"] = self.initial_password
        return data


def _generated_initial_password(identifiant: str, names: list[str | None]) -> str:
    """A random initial password (12+ characters) that passes the initial-password rule."""
    while True:
        candidate = passwords.generate_initial_password()
        if not inputs.initial_password_problems(candidate, identifiant=identifiant, names=names):
            return candidate


def _view(session: Session, account: Account) -> AccountView:
    return account_views(session, [(account, owner_of(session, account))])[0]


def create_account(
    backoffice: Backoffice,
    identifiant: str,
    *,
    owner_ref: str,
    last_name: str,
    first_name: str | None = None,
    civility: str | None = None,
    email: str | None = None,
    copropriete: str | None = None,
    lots: list[str] | None = None,
    initial_password: str | None = None,
) -> NewAccount:
    """A new ``pending`` account; its owner is found by ``owner_ref`` or created.

    Without ``initial_password`` one is generated and returned (shown once, for a letter).
    The e-mail, if given, is kept unverified: the update procedure verifies one. Every value
    is checked by :mod:`coproctl.inputs` before the database (the import applies the same
    rules): ``InvalidInput`` (exit 2) names the field and every reason.
    """
    identifiant = inputs.clean_identifiant(identifiant)
    owner_ref = inputs.clean_text(owner_ref, "owner_ref") or ""
    last_name = inputs.clean_text(last_name, "last_name") or ""
    if not owner_ref or not last_name:
        raise BadInput(
            "missing_value", "La référence du propriétaire et son nom sont obligatoires."
        )
    first_name = inputs.clean_text(first_name, "first_name")
    civility = inputs.clean_text(civility, "civility")
    copropriete = inputs.clean_text(copropriete, "copropriete")
    cleaned_lots = [lot for lot in (inputs.clean_text(raw, "lot") for raw in lots or []) if lot]
    names = [last_name, first_name]
    generated = None
    if initial_password is None:
        generated = initial_password = _generated_initial_password(identifiant, names)
    inputs.check_initial_password(initial_password, identifiant=identifiant, names=names)
    address = None
    if email:
        try:
            address = normalise_email(email)
        except InvalidEmail as exc:
            raise Refused("email_invalid", f"Adresse e-mail invalide : {exc.message_fr}") from None
    hashed = passwords.hash_password(initial_password)
    with backoffice.uow() as uow:
        session = uow.session
        if find_account(session, identifiant) is not None:
            raise Refused("already_exists", f"L'identifiant « {identifiant} » existe déjà.")
        owner = session.exec(select(Owner).where(Owner.owner_ref == owner_ref)).first()
        if owner is None:
            owner = Owner(
                owner_ref=owner_ref,
                last_name=last_name,
                first_name=first_name,
                civility=civility,
            )
            session.add(owner)
            session.flush()
        elif owner.last_name.strip().lower() != last_name.lower():
            raise Refused(
                "owner_conflict",
                f"Le propriétaire {owner_ref} existe déjà sous le nom « {owner.last_name} ».",
            )
        assert owner.id is not None
        now = clock.now()
        account = Account(
            identifiant=identifiant,
            identifiant_key=inputs.identifiant_key(identifiant),
            owner_id=owner.id,
            copropriete=copropriete,
            lots=cleaned_lots,
            password_hash=hashed,
            password_origin=ORIGIN_SYNDIC,
            password_changed_at=now,
            email=address,
            status=PENDING,
            created_at=now,
            updated_at=now,
        )
        session.add(account)
        try:
            session.flush()
        except IntegrityError:
            raise Refused(
                "already_exists", f"L'identifiant « {identifiant} » existe déjà."
            ) from None
        audit.record(
            session,
            backoffice.actor,
            "account.create",
            account=account,
            owner_ref=owner_ref,
            initial="generated" if generated else "given",
        )
        uow.commit()
        return NewAccount(_view(session, account), generated)


def show_account(backoffice: Backoffice, identifiant: str) -> AccountView:
    with backoffice.uow() as uow:
        account = get_account(uow.session, identifiant)
        return detailed_view(uow.session, account, owner_of(uow.session, account))


def _account_query(
    *,
    status: str | None,
    owner_ref: str | None,
    text: str | None,
    locked: bool,
) -> Any:
    if status is not None and status not in STATUSES:
        raise BadInput(
            "bad_status",
            f"Statut inconnu « {status} » (en attente, actif, désactivé ; "
            "ou pending, active, disabled).",
        )
    query = select(Account, Owner).join(Owner, col(Owner.id) == Account.owner_id)
    if status is not None:
        query = query.where(Account.status == status)
    if owner_ref is not None:
        query = query.where(Owner.owner_ref == owner_ref.strip())
    if locked:
        query = query.where(col(Account.locked_until) > clock.now())
    for word in search_words(text):
        # every word, in the account's or its owner's folded text (accents, œ, case ignored)
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(
                col(Account.search_text).like(pattern, escape="\\"),
                col(Owner.search_text).like(pattern, escape="\\"),
            )
        )
    return query


def account_page(
    backoffice: Backoffice,
    *,
    status: str | None = None,
    owner_ref: str | None = None,
    text: str | None = None,
    locked: bool = False,
    limit: int | None = 200,
    offset: int = 0,
) -> Page[AccountView]:
    """Accounts with their owners, filtered, by identifiant; with the number of all matches.

    ``text``: every word must appear in the identifiant, e-mail, copropriété, owner
    reference or names, whatever the accents, ligatures (œ, æ) and case. Three queries
    whatever the number of rows.
    """
    query = _account_query(status=status, owner_ref=owner_ref, text=text, locked=locked)
    with backoffice.uow() as uow:
        total = count_rows(uow.session, query)
        ordered = window(query.order_by(col(Account.identifiant_key)), offset, limit)
        pairs = [(account, owner) for account, owner in uow.session.exec(ordered).all()]
        return Page(account_views(uow.session, pairs), total, offset, limit)


def identifiants_starting(backoffice: Backoffice, prefix: str, limit: int = 50) -> list[str]:
    """Identifiants that start with ``prefix`` (any case), for shell completion."""
    key = prefix.strip().casefold()
    escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    query = (
        select(Account.identifiant)
        .where(col(Account.identifiant_key).like(escaped + "%", escape="\\"))
        .order_by(col(Account.identifiant_key))
        .limit(limit)
    )
    with backoffice.uow() as uow:
        return list(uow.session.exec(query).all())


def list_accounts(
    backoffice: Backoffice,
    *,
    status: str | None = None,
    owner_ref: str | None = None,
    text: str | None = None,
    locked: bool = False,
    limit: int | None = 200,
) -> list[AccountView]:
    """The rows of :func:`account_page` alone."""
    return account_page(
        backoffice, status=status, owner_ref=owner_ref, text=text, locked=locked, limit=limit
    ).rows


def reset_account(backoffice: Backoffice, identifiant: str) -> NewAccount:
    """Back to ``pending`` with a new generated initial password (for a postal letter).

    The owner is told by e-mail (at the verified address) that the account was reset; the
    password itself is never sent by e-mail. Procedures in flight end; the lock is cleared.
    """
    initial = _generated_initial_password(identifiant, [])
    hashed = passwords.hash_password(initial)  # before the row lock: it takes ~20 ms
    with backoffice.uow() as uow:
        session = uow.session
        account = get_account(session, identifiant, lock=True)
        assert account.id is not None
        owner = owner_of(session, account)
        names = [owner.last_name, owner.first_name]
        if inputs.initial_password_problems(
            initial, identifiant=account.identifiant, names=names
        ):  # it holds the owner's name (rare): another one
            initial = _generated_initial_password(account.identifiant, names)
            hashed = passwords.hash_password(initial)
        if account.email and account.email_verified_at is not None:
            notifications.account_reset(uow, backoffice, owner, account, account.email)
        supersede_all(session, account.id)
        previous = account.status
        now = clock.now()
        account.password_hash = hashed
        account.password_origin = ORIGIN_SYNDIC
        account.password_changed_at = now
        account.email_verified_at = None
        account.status = PENDING
        account.failed_logins = 0
        account.locked_until = None
        account.updated_at = now
        session.add(account)
        audit.record(
            session, backoffice.actor, "account.reset", account=account, previous_status=previous
        )
        uow.commit()
        return NewAccount(_view(session, account), initial)


def _staff_change(
    backoffice: Backoffice, identifiant: str, action: str, change: Any, **details: Any
) -> AccountView:
    with backoffice.uow() as uow:
        session = uow.session
        account = get_account(session, identifiant, lock=True)
        extra = change(session, account) or {}
        account.updated_at = clock.now()
        session.add(account)
        audit.record(session, backoffice.actor, action, account=account, **details, **extra)
        uow.commit()
        return _view(session, account)


def lock_account(backoffice: Backoffice, identifiant: str, minutes: int = 60) -> AccountView:
    """Lock the account until ``minutes`` from now (logins refused), as staff: the owner is
    told the syndic locked it, not that passwords were wrong; ``account show`` says who."""
    if minutes <= 0:
        raise BadInput("bad_duration", "La durée de verrouillage doit être positive.")

    def change(_session: Session, account: Account) -> None:
        until = clock.now() + timedelta(minutes=minutes)
        account.locked_until = until
        account.staff_locked_until = until
        account.locked_by = backoffice.actor

    return _staff_change(backoffice, identifiant, "account.lock", change, minutes=minutes)


def unlock_account(backoffice: Backoffice, identifiant: str) -> AccountView:
    def change(_session: Session, account: Account) -> dict[str, Any]:
        was = {
            "was_locked": account.locked_until is not None
            and clock.as_utc(account.locked_until) > clock.now(),
            "lock": lock_reason(account),
            "failed_logins": account.failed_logins,
        }
        account.locked_until = None
        account.staff_locked_until = None
        account.locked_by = None
        account.failed_logins = 0
        return was

    return _staff_change(backoffice, identifiant, "account.unlock", change)


def disable_account(backoffice: Backoffice, identifiant: str) -> AccountView:
    def change(session: Session, account: Account) -> dict[str, Any]:
        if account.status == DISABLED:
            raise Refused("wrong_state", "Ce compte est déjà désactivé.")
        assert account.id is not None
        supersede_all(session, account.id)
        previous = account.status
        account.status = DISABLED
        return {"previous_status": previous}

    return _staff_change(backoffice, identifiant, "account.disable", change)


def enable_account(backoffice: Backoffice, identifiant: str) -> AccountView:
    """Back to ``active`` if the owner had completed the procedure, else ``pending``.

    A disabled account counts every try (so that its lock tells no password): the tries
    made while it was disabled are not held against the owner, so enabling clears the
    failed-login counter and a lock they caused. A lock staff set stays (``account unlock``
    lifts it).
    """

    def change(_session: Session, account: Account) -> dict[str, Any]:
        if account.status != DISABLED:
            raise Refused("wrong_state", "Ce compte n'est pas désactivé.")
        completed = (
            account.password_origin == ORIGIN_OWNER and account.email_verified_at is not None
        )
        account.status = ACTIVE if completed else PENDING
        lock = lock_reason(account)
        cleared = {
            "failed_logins_cleared": account.failed_logins,
            "lock_cleared": lock == FAILED_LOGINS,
        }
        account.failed_logins = 0
        if lock != STAFF:
            account.locked_until = None
        return {
            "status": account.status,
            **cleared,
            **({"staff_lock_kept": True} if lock == STAFF else {}),
        }

    return _staff_change(backoffice, identifiant, "account.enable", change)


@dataclass(frozen=True)
class StaffPreview:
    """What a staff action will replace, shown before it asks for confirmation."""

    account: AccountView
    owner_name: str
    target_ref: str | None = None  # link: the new owner
    target_name: str | None = None


def _owner_name(owner: Owner) -> str:
    return " ".join(filter(None, [owner.civility, owner.first_name, owner.last_name]))


def _link_target(session: Session, account: Account, owner_ref: str) -> Owner:
    """The owner to link to; refused when unknown or already the account's."""
    target = session.exec(select(Owner).where(Owner.owner_ref == owner_ref.strip())).first()
    if target is None:
        raise Refused("not_found", f"Aucun propriétaire avec la référence « {owner_ref} ».")
    if target.id == account.owner_id:
        raise Refused("wrong_state", f"Ce compte appartient déjà au propriétaire {owner_ref}.")
    return target


def preview_staff_change(
    backoffice: Backoffice, identifiant: str, *, link_to: str | None = None
) -> StaffPreview:
    """The account as it is (with its procedure), and for a link the owner it would go to:
    refusals are checked here, before staff are asked to confirm."""
    with backoffice.uow() as uow:
        session = uow.session
        account = get_account(session, identifiant)
        owner = owner_of(session, account)
        view = detailed_view(session, account, owner)
        if link_to is None:
            return StaffPreview(view, _owner_name(owner))
        target = _link_target(session, account, link_to)
        return StaffPreview(view, _owner_name(owner), target.owner_ref, _owner_name(target))


def link_account(backoffice: Backoffice, identifiant: str, owner_ref: str) -> AccountView:
    """Attach the account to another (existing) owner; its e-mail and password stay."""

    def change(session: Session, account: Account) -> dict[str, Any]:
        target = _link_target(session, account, owner_ref)
        previous = owner_of(session, account).owner_ref
        assert target.id is not None
        account.owner_id = target.id
        return {"from_owner": previous, "to_owner": target.owner_ref}

    return _staff_change(backoffice, identifiant, "account.link", change)
