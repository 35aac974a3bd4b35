"""Outgoing mail for staff and cron: deliver the queue, list what was sent and why, purge.

Delivery itself lives in :mod:`coproctl.mail.delivery`; these services add the checks,
the filters and the audit rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.exc import OperationalError
from sqlmodel import col

from coproctl import clock
from coproctl.backoffice import Backoffice, unavailable
from coproctl.config import Settings
from coproctl.errors import BadInput, Refused
from coproctl.mail.delivery import deliver
from coproctl.mail.outcomes import DeliveryReport
from coproctl.mail.transports import describe, transport_key
from coproctl.models import (
    MAIL_EXPIRED,
    MAIL_FAILED,
    MAIL_QUEUED,
    MAIL_SENDING,
    MAIL_SENT,
    Account,
    OutboxMessage,
    Owner,
)
from coproctl.services.common import get_account
from coproctl.services.listing import Page, count_rows, window
from coproctl.services.maintenance.batched_delete import (
    BatchHook,
    check_purge_options,
    delete_in_batches,
)
from coproctl.services.owners.views import MailView, mail_view

MAIL_STATUSES = (MAIL_QUEUED, MAIL_SENDING, MAIL_SENT, MAIL_FAILED, MAIL_EXPIRED)
DONE_STATUSES = (MAIL_SENT, MAIL_FAILED, MAIL_EXPIRED)
PURGE_BATCH = 1000  # a short write lock per batch, as the other purges


@contextmanager
def _database_errors() -> Iterator[None]:
    """A database that goes away mid-run is a refusal with its reason, not a traceback."""
    try:
        yield
    except OperationalError as exc:
        raise unavailable(exc) from None


def send_queue(backoffice: Backoffice, *, limit: int | None = None) -> DeliveryReport:
    """Deliver the due queue (cron): retries with backoff, expired codes left unsent."""
    if limit is not None and limit < 1:
        raise BadInput("bad_usage", "--limit doit valoir au moins 1.")
    with _database_errors():
        return deliver(backoffice, limit=limit)


def retry_mail(
    backoffice: Backoffice, ids: list[int] | None, *, use_this_transport: bool = False
) -> DeliveryReport:
    """``mail retry ID...|--all``: the queued messages tried now, whatever their backoff.

    A message meant for another transport (another relay, a folder) stays queued unless
    ``use_this_transport`` moves it to this one: a deliberate act of staff, never of cron.
    Messages already sent, failed or expired are not queued any more: refused, saying why.
    """
    from coproctl.mail import claims

    with _database_errors():
        if ids is not None:
            _check_retryable(backoffice, ids, use_this_transport)
        if use_this_transport:
            claims.adopt(backoffice, ids)
        due = claims.make_due(backoffice, ids)
        report = deliver(backoffice, due) if due else DeliveryReport()
        left = claims.waiting(backoffice)
    report.transport = transport_key(backoffice.settings)
    report.waiting, report.next_attempt_at = left.count, left.next_at
    report.elsewhere = left.elsewhere or {}
    return report


def _check_retryable(backoffice: Backoffice, ids: list[int], use_this_transport: bool) -> None:
    key = transport_key(backoffice.settings)
    with backoffice.uow() as uow:
        rows = {
            row.id: row
            for row in uow.session.execute(
                select(OutboxMessage).where(col(OutboxMessage.id).in_(ids))
            ).scalars()
        }
    problems = []
    for number in ids:
        row = rows.get(number)
        if row is None:
            problems.append(f"n°{number} : aucun message de ce numéro")
        elif row.status == MAIL_SENDING:
            problems.append(f"n°{number} : en cours d'envoi par un autre traitement")
        elif row.status != MAIL_QUEUED:
            what = {MAIL_SENT: "déjà envoyé", MAIL_EXPIRED: "non envoyé, code périmé"}.get(
                row.status, "en échec définitif"
            )
            again = " (« coproctl code resend » envoie un nouveau code)" if row.code_id else ""
            problems.append(f"n°{number} : {what}, plus rien à réessayer{again}")
        elif row.transport not in (None, key) and not use_this_transport:
            problems.append(
                f"n°{number} : prévu pour {describe(row.transport)}, pas pour {describe(key)} "
                "(--use-this-transport pour l'envoyer par ce dernier)"
            )
    if problems:
        raise Refused("not_retryable", "Rien n'a été réessayé : " + " ; ".join(problems) + ".")


def list_mail(
    backoffice: Backoffice,
    *,
    status: str | None = None,
    to: str | None = None,
    identifiant: str | None = None,
    kind: str | None = None,
    since: datetime | None = None,
    limit: int | None = 100,
    offset: int = 0,
) -> list[MailView]:
    """Newest first; the filters combine. ``to`` with an @ is one address (any case),
    without one a part of it (``orange.fr``); ``since`` typed by staff is Paris time."""
    return mail_page(
        backoffice,
        status=status,
        to=to,
        identifiant=identifiant,
        kind=kind,
        since=since,
        limit=limit,
        offset=offset,
    ).rows


def mail_page(
    backoffice: Backoffice,
    *,
    status: str | None = None,
    to: str | None = None,
    identifiant: str | None = None,
    kind: str | None = None,
    since: datetime | None = None,
    limit: int | None = 100,
    offset: int = 0,
) -> Page[MailView]:
    """:func:`list_mail`'s rows and how many messages match in all (staff: no silent cut)."""
    if status is not None and status not in MAIL_STATUSES:
        raise BadInput("bad_usage", f"Statut inconnu « {status} » : {', '.join(MAIL_STATUSES)}.")
    with backoffice.uow() as uow, _database_errors():
        query = select(OutboxMessage, Account.identifiant).outerjoin(
            Account, col(Account.id) == col(OutboxMessage.account_id)
        )
        if identifiant is not None:
            account = get_account(uow.session, identifiant)
            query = query.where(col(OutboxMessage.account_id) == account.id)
        if status is not None:
            query = query.where(col(OutboxMessage.status) == status)
        if kind is not None:
            query = query.where(col(OutboxMessage.kind) == kind)
        if to is not None:
            wanted = to.strip().lower()
            address = func.lower(col(OutboxMessage.to_addr))
            query = query.where(
                address == wanted if "@" in wanted else address.contains(wanted, autoescape=True)
            )
        if since is not None:
            query = query.where(col(OutboxMessage.created_at) >= clock.from_paris(since))
        total = count_rows(uow.session, query)
        query = window(query.order_by(col(OutboxMessage.id).desc()), offset, limit)
        rows = uow.session.execute(query).all()
        views = [mail_view(row, account_identifiant) for row, account_identifiant in rows]
        return Page(views, total, offset, limit)


@dataclass
class PurgeReport:
    older_than_days: int
    before: datetime
    dry_run: bool
    removed: int = 0
    batches: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "removed": self.removed,
            "batches": self.batches,
            "older_than_days": self.older_than_days,
            "before": clock.paris_iso(self.before),
            "dry_run": self.dry_run,
        }


def purge_mail(
    backoffice: Backoffice,
    *,
    older_than_days: int | None = None,
    dry_run: bool = False,
    batch_size: int = PURGE_BATCH,
    between_batches: BatchHook | None = None,  # test-only seam (batched_delete.BatchHook)
) -> PurgeReport:
    """Delete the messages sent, failed or expired more than N days ago (cron).

    Queued messages are never touched. Batches by id, each its own short transaction (on
    PostgreSQL picked ``FOR UPDATE SKIP LOCKED``: two copies share the work); running it
    again removes nothing more. One ``mail.purge`` audit event per run, even empty.
    """
    days = backoffice.settings.mail_retention_days if older_than_days is None else older_than_days
    check_purge_options(days, batch_size)
    report = PurgeReport(days, clock.now() - timedelta(days=days), dry_run)
    done = delete_in_batches(
        backoffice,
        OutboxMessage,
        and_(
            col(OutboxMessage.status).in_(DONE_STATUSES),
            col(OutboxMessage.created_at) < report.before,
        ),
        dry_run=dry_run,
        batch_size=batch_size,
        between_batches=between_batches,
        what="message",
        action="mail.purge",
        older_than_days=days,
        before=clock.paris_iso(report.before),
    )
    report.removed, report.batches = done.removed, done.batches
    return report


@dataclass(frozen=True)
class MailPreview:
    kind: str
    subject: str
    text: str
    html: str
    placeholders: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "subject": self.subject,
            "text": self.text,
            "html": self.html,
            "placeholders": list(self.placeholders),
        }


SAMPLE_CODE = "12345678"  # a made-up code: previews never show a real one


def preview_mail(settings: Settings, kind: str) -> MailPreview:
    """``kind`` rendered for a made-up owner with the templates in use (MAIL_TEMPLATES_DIR
    first): how a syndic checks an adapted template before an owner receives it."""
    from coproctl.mail.compose import grouped
    from coproctl.mail.outbox import REPLACES, coproprietes_text, template_values
    from coproctl.mail.templates import (
        CODE_KINDS,
        CODE_PLACEHOLDER,
        KINDS,
        placeholders,
        render,
        templates_folder,
    )

    if kind not in KINDS:
        raise BadInput("bad_usage", f"Type de message inconnu « {kind} » : {', '.join(KINDS)}.")
    owner = Owner(owner_ref="C0042", civility="Mme", last_name="Lefèvre", first_name="Marie")
    account = Account(identifiant="LEF001", copropriete="Les Tilleuls")
    extra: dict[str, str] = {"identifiants": "LEF001, LEF002"}
    expires_at = None
    if kind in CODE_KINDS:
        purpose = {"update_code": "update", "reset_code": "reset"}.get(kind, "email-change")
        minutes = settings.code_ttl_minutes(purpose)
        extra = {"minutes": str(minutes), "replaces": REPLACES}
        expires_at = clock.now() + timedelta(minutes=minutes)
    elif kind == "account_activated":
        extra = {
            "identifiants": "LEF001, LEF002",
            "email": "marie.lefevre@example.com",
            "coproprietes": coproprietes_text(
                [("LEF001", "Les Tilleuls"), ("LEF002", "Résidence du Parc")]
            ),
        }
    elif kind != "password_changed":
        extra = {}
    values = template_values(settings, owner, account, extra, expires_at=expires_at)
    rendered = render(kind, values, templates_folder(settings.mail_templates_dir))
    sample = grouped(SAMPLE_CODE)
    return MailPreview(
        kind=kind,
        subject=rendered.subject,
        text=rendered.text.replace(CODE_PLACEHOLDER, sample),
        html=rendered.html.replace(CODE_PLACEHOLDER, sample),
        placeholders=placeholders(kind),
    )
