"""The daily sweep: for each registered kind, create missing obligations, move their states, raise reminders.

Run by the Celery beat job ``obligations.tasks.sweep_obligations`` and by ``python manage.py
sweep_obligations`` (the same function). It acts as the system actor (core/system.py): every read goes through
``for_user(system_actor(), …)`` and every write is one the system role is allowed (Obligation and
Notification list ``Role.SYSTEM`` among their writers); each kind's changes leave one audit row under the
name ``system``.

Set-based, a fixed number of statements per kind whatever the number of rows:

1. the kind's rows queryset (its own few preparatory queries, e.g. the policy dates) becomes one
   ``INSERT … SELECT … ON CONFLICT (kind, content_type, object_id, period) DO UPDATE … WHERE <changed>``:
   missing obligations are created, open ones follow a changed due date, rule or owner, others are untouched;
2. one ``UPDATE`` marks done what the kind's done condition now holds for, and one reopens what was done but
   no longer is (the next step dates it again); a kind settled period by period (``done_in_period``) asks it
   of each obligation row, so a later period's work does not settle an earlier one;
3. one ``UPDATE`` waives what the kind's void condition holds for (e.g. the station was closed);
4. one ``UPDATE`` moves open obligations between upcoming / due soon / overdue by their due date;
5. one ``INSERT … SELECT … ON CONFLICT (obligation, stage) DO NOTHING`` claims the reminders of every due-soon
   and overdue obligation — the unique constraint makes each (obligation, stage) happen once, so a second
   run, or a second beat at the same time (it waits on the first one's uncommitted claims, then finds them
   taken), claims nothing;
6. one ``INSERT … SELECT`` writes the inbox messages of exactly the reminders this run claimed (by its batch
   id) to the users of the owing organisation and of the bureau at the obligation's notify division (and,
   for a kind with ``notify_township``, of the township government of its place; for a kind with
   ``notify_village``, the village workers assigned to its place). Users assigned to a village are told only
   through that last part.

Emails are then sent for messages not yet emailed whose recipient has an address: claimed first with one
``UPDATE … RETURNING`` (so two runs never send the same message), one query for their details, one SMTP
connection; a failed send releases the claim for the next run.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import EmptyResultSet
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import Case, Q, Value, When
from django.utils import timezone

from accounts.models import Organisation, User
from core.audit import record
from core.scoping import Action
from core.system import system_actor

from .models import Notification, Obligation, Reminder
from .registry import ROW_FIELDS, ObligationKind, kinds

log = logging.getLogger(__name__)

State = Obligation.State
STAGE_TEXT = {State.DUE_SOON: "即将到期", State.OVERDUE: "已逾期"}


@dataclass
class KindResult:
    kind: str
    created: int = 0
    updated: int = 0
    done: int = 0
    reopened: int = 0
    voided: int = 0
    moved: int = 0
    reminders: int = 0
    notifications: int = 0

    @property
    def changed(self) -> bool:
        return any((self.created, self.updated, self.done, self.reopened, self.voided, self.moved, self.reminders))


@dataclass
class SweepResult:
    today: dt.date
    kinds: list[KindResult] = field(default_factory=list)
    emailed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"today": self.today.isoformat(), "kinds": [asdict(k) for k in self.kinds], "emailed": self.emailed}


def due_soon_days(kind: ObligationKind) -> int:
    return kind.due_soon_days if kind.due_soon_days is not None else settings.OBLIGATIONS_DUE_SOON_DAYS


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _col(model: Any, name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


def _distinct(a: str, b: str) -> str:
    return f"{a} IS DISTINCT FROM {b}" if connection.vendor == "postgresql" else f"{a} IS NOT {b}"


def _upsert(kind: ObligationKind, actor: Any, today: dt.date, now: dt.datetime) -> tuple[int, int]:
    """Step 1: one INSERT … SELECT … ON CONFLICT statement; returns (created, updated)."""
    # What is already done (or no longer owed) when first seen is not owed: no obligation is created for it.
    rows = kind.rows(actor, today).exclude(kind.done)
    if kind.void is not None:
        rows = rows.exclude(kind.void)
    rows = rows.order_by().values(*ROW_FIELDS)
    try:
        select_sql, select_params = rows.query.sql_with_params()
    except EmptyResultSet:
        return 0, 0  # e.g. no policy sets the kind's date anywhere: nothing is owed
    content_type = ContentType.objects.get_for_model(kind.model)  # cached by Django after the first call
    ob = Obligation
    t = _table(ob)
    columns = [
        "kind",
        "content_type",
        "object_id",
        "period",
        "title",
        "owner",
        "division",
        "notify_division",
        "due_date",
        "rule_key",
        "clause",
        "link",
        "state",
        "waive_reason",
        "created_at",
        "updated_at",
    ]
    followed = ["title", "owner", "notify_division", "due_date", "rule_key", "clause", "link"]
    col = {name: _col(ob, name) for name in columns}
    conflict = ", ".join(col[n] for n in ("kind", "content_type", "object_id", "period"))
    sets = ", ".join(f"{col[n]} = EXCLUDED.{col[n]}" for n in [*followed, "updated_at"])
    changed = " OR ".join(_distinct(f"{t}.{col[n]}", f"EXCLUDED.{col[n]}") for n in followed)
    open_states = ", ".join(["%s"] * len(ob.OPEN_STATES))
    sql = (
        f"INSERT INTO {t} ({', '.join(col[n] for n in columns)}) "  # noqa: S608 - quoted identifiers from model metadata; values are parameters
        f"SELECT %s, %s, src.ob_object_id, src.ob_period, src.ob_title, src.ob_owner_id, src.ob_division_id, "
        f"src.ob_notify_division_id, src.ob_due_date, src.ob_rule_key, src.ob_clause, src.ob_link, "
        f"%s, '', %s, %s FROM ({select_sql}) src WHERE true "
        f"ON CONFLICT ({conflict}) DO UPDATE SET {sets} "
        f"WHERE {t}.{col['state']} IN ({open_states}) AND ({changed}) "
        f"RETURNING {col['created_at']}"
    )
    params = [kind.key, content_type.pk, State.UPCOMING, now, now, *select_params, *ob.OPEN_STATES]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        returned = cursor.fetchall()
    created = sum(1 for (created_at,) in returned if _same_instant(created_at, now))
    return created, len(returned) - created


def _same_instant(value: Any, now: dt.datetime) -> bool:
    if isinstance(value, str):  # SQLite returns text
        return value.startswith(now.replace(tzinfo=None).isoformat(sep=" ")[:19])
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return bool(value == now)


def _open(kind: ObligationKind, actor: Any) -> Any:
    return Obligation.objects.for_user(actor, Action.CHANGE).filter(kind=kind.key, state__in=Obligation.OPEN_STATES)


def _targets(kind: ObligationKind, actor: Any, condition: Q) -> Any:
    return kind.model._default_manager.for_user(actor, Action.VIEW).filter(condition).values("pk")  # type: ignore[attr-defined]


def _done_conditions(kind: ObligationKind, actor: Any) -> tuple[Q, Q]:
    """(done, no longer done) as conditions on Obligation rows: per period where the kind settles its periods
    one by one, else on the object (its ``done`` condition)."""
    if kind.done_in_period is not None:
        condition = kind.done_in_period()
        return Q(condition), ~Q(condition)
    still_owed = kind.model._default_manager.for_user(actor, Action.VIEW).exclude(kind.done).values("pk")  # type: ignore[attr-defined]
    return Q(object_id__in=_targets(kind, actor, kind.done)), Q(object_id__in=still_owed)


def _move_states(kind: ObligationKind, actor: Any, today: dt.date, now: dt.datetime) -> int:
    """Step 4: one UPDATE; states follow the due date both ways (a later due date moves an item back)."""
    soon = today + dt.timedelta(days=due_soon_days(kind))
    wrong = (
        (Q(due_date__lt=today) & ~Q(state=State.OVERDUE))
        | (Q(due_date__gte=today, due_date__lte=soon) & ~Q(state=State.DUE_SOON))
        | (Q(due_date__gt=soon) & ~Q(state=State.UPCOMING))
    )
    target = Case(
        When(due_date__lt=today, then=Value(State.OVERDUE)),
        When(due_date__lte=soon, then=Value(State.DUE_SOON)),
        default=Value(State.UPCOMING),
    )
    return int(_open(kind, actor).filter(wrong).update(state=target, updated_at=now))


def _claim_reminders(kind: ObligationKind, batch: uuid.UUID, now: dt.datetime) -> int:
    """Step 5: one INSERT … SELECT … ON CONFLICT DO NOTHING; the unique (obligation, stage) is the claim."""
    r, o = Reminder, Obligation
    stages = ", ".join(["%s"] * len(o.REMINDER_STAGES))
    sql = (
        f"INSERT INTO {_table(r)} ({_col(r, 'obligation')}, {_col(r, 'stage')}, {_col(r, 'sweep')}, "  # noqa: S608 - quoted identifiers from model metadata; values are parameters
        f"{_col(r, 'claimed_at')}) "
        f"SELECT o.{_col(o, 'id')}, o.{_col(o, 'state')}, %s, %s FROM {_table(o)} o "
        f"WHERE o.{_col(o, 'kind')} = %s AND o.{_col(o, 'state')} IN ({stages}) "
        f"ON CONFLICT ({_col(r, 'obligation')}, {_col(r, 'stage')}) DO NOTHING"
    )
    batch_value = batch.hex if connection.vendor != "postgresql" else batch
    with connection.cursor() as cursor:
        cursor.execute(sql, [batch_value, now, kind.key, *o.REMINDER_STAGES])
        return max(cursor.rowcount, 0)


def _notify(kind: ObligationKind, batch: uuid.UUID, now: dt.datetime) -> int:
    """Step 6: one INSERT … SELECT of the messages of the reminders this batch claimed."""
    n, r, o, u, org = Notification, Reminder, Obligation, User, Organisation
    text = "o.{title} || CASE r.{stage} {whens} END".format(
        title=_col(o, "title"),
        stage=_col(r, "stage"),
        whens=" ".join("WHEN %s THEN %s" for _ in STAGE_TEXT),
    )
    text_params: list[Any] = []
    for stage, words in STAGE_TEXT.items():
        text_params += [stage, f"：{words}"]
    # Two joins, each an equality the planner can hash (an OR in one join condition would compare every
    # user with every reminder): the owing organisation's users, and the users of the bureau at the
    # obligation's notify division. A user in both gets one message (ON CONFLICT … DO NOTHING).
    # The reminders this batch claimed come first, materialised, so the plan walks from them to their
    # obligations by primary key whatever the table statistics say (right after a first big run they are
    # stale and would otherwise pick a scan of every obligation per reminder).
    claimed = (
        f"WITH r AS MATERIALIZED (SELECT {_col(r, 'id')}, {_col(r, 'obligation')}, {_col(r, 'stage')} "  # noqa: S608 - quoted identifiers from model metadata
        f"FROM {_table(r)} WHERE {_col(r, 'sweep')} = %s) "
    )
    head = (
        f"SELECT u.{_col(u, 'id')}, u.{_col(u, 'organisation')}, o.{_col(o, 'id')}, r.{_col(r, 'id')}, {text}, "  # noqa: S608 - quoted identifiers
        f"o.{_col(o, 'link')}, %s "
        f"FROM r JOIN {_table(o)} o ON o.{_col(o, 'id')} = r.{_col(r, 'obligation')} "
    )
    # Two joins, each an equality (an OR in one join condition would compare every user with every
    # reminder): the owing organisation's users, and the users of the bureau at the obligation's notify
    # division. A user in both gets one message (ON CONFLICT … DO NOTHING).
    # A user assigned to one village (a township's village worker) is told only of its village, never
    # through its organisation.
    unassigned = f" AND u.{_col(u, 'village')} IS NULL"
    owners = head + (
        f"JOIN {_table(u)} u ON u.{_col(u, 'organisation')} = o.{_col(o, 'owner')} WHERE u.{_col(u, 'is_active')}"
        f"{unassigned}"
    )
    watchers = head + (
        f"JOIN {_table(org)} g ON g.{_col(org, 'division')} = o.{_col(o, 'notify_division')} "
        f"AND g.{_col(org, 'kind')} = %s "
        f"JOIN {_table(u)} u ON u.{_col(u, 'organisation')} = g.{_col(org, 'id')} WHERE u.{_col(u, 'is_active')}"
        f"{unassigned}"
    )
    parts = [owners, watchers]
    batch_value = batch.hex if connection.vendor != "postgresql" else batch
    params = [batch_value, *text_params, now, *text_params, now, Organisation.Kind.BUREAU]
    if kind.notify_township:
        # The township government of the obligation's place (its division's 9-digit prefix).
        parts.append(
            head + f"JOIN {_table(org)} g ON g.{_col(org, 'division')} = SUBSTR(o.{_col(o, 'division')}, 1, 9) "
            f"AND g.{_col(org, 'kind')} = %s "
            f"JOIN {_table(u)} u ON u.{_col(u, 'organisation')} = g.{_col(org, 'id')} WHERE u.{_col(u, 'is_active')}"
            f"{unassigned}"
        )
        params += [*text_params, now, Organisation.Kind.TOWNSHIP]
    if kind.notify_village:
        # The village workers assigned to the obligation's place (an equality join: the planner hashes it).
        parts.append(
            head + f"JOIN {_table(u)} u ON u.{_col(u, 'village')} = o.{_col(o, 'division')} "
            f"WHERE u.{_col(u, 'is_active')}"
        )
        params += [*text_params, now]
    sql = (
        f"{claimed}INSERT INTO {_table(n)} ({_col(n, 'recipient')}, {_col(n, 'organisation')}, "  # noqa: S608 - quoted identifiers from model metadata; values are parameters
        f"{_col(n, 'obligation')}, {_col(n, 'reminder')}, {_col(n, 'text')}, {_col(n, 'link')}, "
        f"{_col(n, 'created_at')}) {' UNION ALL '.join(parts)} "
        f"ON CONFLICT ({_col(n, 'reminder')}, {_col(n, 'recipient')}) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.rowcount < 0 and connection.vendor == "sqlite":  # SQLite reports no count for WITH … INSERT
            cursor.execute("SELECT changes()")
            return int(cursor.fetchone()[0])
        return max(cursor.rowcount, 0)


def sweep_kind(kind: ObligationKind, *, actor: Any, today: dt.date, now: dt.datetime) -> KindResult:
    result = KindResult(kind=kind.key)
    batch = uuid.uuid4()
    with transaction.atomic():
        result.created, result.updated = _upsert(kind, actor, today, now)
        done_now, not_done = _done_conditions(kind, actor)
        result.done = _open(kind, actor).filter(done_now).update(state=State.DONE, done_at=now, updated_at=now)
        # Done no longer holds (e.g. a plaque date recorded by mistake and removed): open again; the state
        # step below dates it. Reminders already raised are not raised again.
        result.reopened = (
            Obligation.objects.for_user(actor, Action.CHANGE)
            .filter(kind=kind.key, state=State.DONE)
            .filter(not_done)
            .update(state=State.UPCOMING, done_at=None, updated_at=now)
        )
        if kind.void is not None:
            result.voided = (
                _open(kind, actor)
                .filter(object_id__in=_targets(kind, actor, kind.void))
                .update(
                    state=State.WAIVED, waived_at=now, waived_by=actor, waive_reason=kind.void_reason, updated_at=now
                )
            )
        result.moved = _move_states(kind, actor, today, now)
        result.reminders = _claim_reminders(kind, batch, now)
        if result.reminders:
            result.notifications = _notify(kind, batch, now)
        if result.changed:
            record(
                acting_user=actor,
                event="update",
                object_type="obligations.Obligation",
                object_repr=f"每日待办巡检：{kind.label}",
                changes={"kind": kind.key, "today": today, **asdict(result)},
            )
    return result


def send_pending_emails(actor: Any, now: dt.datetime | None = None) -> int:
    """Email the messages not yet emailed whose recipient has an address; each at most once."""
    now = now or timezone.now()
    pending = (
        Notification.objects.for_user(actor, Action.CHANGE)
        .filter(emailed_at__isnull=True, recipient__is_active=True)
        .exclude(recipient__email="")
    )
    with transaction.atomic():
        # Claim first: rows another run holds are skipped, rows it has committed are no longer pending, so
        # no message is sent twice.
        claimed = list(pending.select_for_update(skip_locked=True, of=("self",)).values_list("pk", flat=True))
        if not claimed:
            return 0
        Notification.objects.for_user(actor, Action.CHANGE).filter(pk__in=claimed).update(emailed_at=now)
    rows = list(
        Notification.objects.for_user(actor, Action.VIEW)
        .filter(pk__in=claimed)
        .select_related("recipient", "obligation")
        .only("text", "link", "recipient__email", "obligation__due_date", "obligation__clause")
    )
    messages = []
    base = settings.SITE_URL.rstrip("/")
    for n in rows:
        lines = [n.text]
        if n.obligation is not None:
            d = n.obligation.due_date
            lines.append(
                f"截止日期：{d.year}年{d.month}月{d.day}日"
                + (f"（依据 {n.obligation.clause}）" if n.obligation.clause else "")
            )
        if n.link:
            lines.append(f"办理：{base}{n.link}")
        lines.append("——站务平台（本邮件由系统自动发送）")
        messages.append(EmailMessage(subject=f"【站务】{n.text}", body="\n".join(lines), to=[n.recipient.email]))
    try:
        with get_connection() as mail:
            sent = mail.send_messages(messages) or 0
    except Exception:
        log.exception("sending obligation emails failed; released for the next run")
        Notification.objects.for_user(actor, Action.CHANGE).filter(pk__in=claimed).update(emailed_at=None)
        return 0
    return int(sent)


def run_sweep(today: dt.date | None = None, kind_keys: list[str] | None = None) -> SweepResult:
    """The whole daily sweep as the system actor (the beat job and the management command call this)."""
    actor = system_actor()
    today = today or timezone.localdate()
    now = timezone.now()
    result = SweepResult(today=today)
    for key, kind in sorted(kinds().items()):
        if kind_keys and key not in kind_keys:
            continue
        result.kinds.append(sweep_kind(kind, actor=actor, today=today, now=now))
    result.emailed = send_pending_emails(actor, now)
    return result
