"""The daily sweep: creation, state transitions, done and void, reminders raised once, emails, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command

from core.models import AuditLog
from obligations.models import Notification, Obligation, Reminder
from stations.models import Station
from tests.obligations.support import datian_milestones, set_rule, sweep

pytestmark = pytest.mark.django_db

D = dt.date


def junxi_station() -> Station:
    return Station.objects.get(division_id="350425100", level=Station.Level.TOWNSHIP)


def test_sweep_twice_raises_each_reminder_once(demo: None, emails: None) -> None:
    datian_milestones()
    first = sweep()
    created = sum(k.created for k in first.kinds)
    # Datian's township stations without a plaque or not yet operating owe the milestones, all overdue.
    owed = Station.objects.filter(level="township").exclude(status="closed").filter(plaque_date__isnull=True).count()
    assert owed > 0
    assert Obligation.objects.filter(kind="station.signage").count() == owed
    assert created == Obligation.objects.count()
    assert set(Obligation.objects.values_list("state", flat=True)) == {"overdue"}
    reminders = Reminder.objects.count()
    notes = Notification.objects.count()
    assert reminders == created and notes > 0
    sent = len(mail.outbox)
    assert sent == Notification.objects.filter(recipient__email__gt="").count() > 0
    message = mail.outbox[0]
    assert message.subject.startswith("【站务】") and message.subject.endswith("：已逾期")
    assert "截止日期：2021年" in message.body and "办理：http" in message.body and "/stations/" in message.body
    assert message.to[0] in {"bureau@example.org", "junxi@example.org"}

    second = sweep()
    assert all(not k.changed for k in second.kinds), second.as_dict()
    assert Reminder.objects.count() == reminders
    assert Notification.objects.count() == notes
    assert len(mail.outbox) == sent  # nothing emailed twice
    third = sweep(D(2026, 11, 25))  # the next day: still nothing new
    assert sum(k.reminders for k in third.kinds) == 0 and len(mail.outbox) == sent


def test_obligation_carries_rule_clause_owner_and_link(demo: None) -> None:
    datian_milestones()
    sweep()
    o = Obligation.objects.filter(kind="station.signage").select_related("owner").first()
    assert o is not None
    station = Station.objects.get(pk=o.object_id)
    assert o.rule_key == "milestone.signage_done"
    assert o.clause == "[000 §4(5)]"
    assert o.due_date == D(2021, 5, 31)
    assert o.owner is not None and o.owner.division_id == station.division_id and o.owner.kind == "township"
    assert o.notify_division_id == "350425"
    assert o.link == f"/stations/{station.pk}/"
    assert o.title == f"{station.name}：完成挂牌（揭牌）"


def test_states_move_with_the_date_and_done_when_condition_holds(demo: None) -> None:
    station = junxi_station()
    Station.objects.filter(pk=station.pk).update(plaque_date=None)
    set_rule("350425", "milestone.signage_done", "2026-12-20", "[000 §4(5)]")

    sweep(D(2026, 11, 24), ["station.signage"])
    o = Obligation.objects.get(kind="station.signage", object_id=station.pk)
    assert o.state == "upcoming" and not o.reminders.exists()

    r = sweep(D(2026, 12, 10), ["station.signage"])  # 10 days before: due soon (14-day window)
    o.refresh_from_db()
    assert o.state == "due_soon" and r.kinds[0].moved >= 1
    assert list(o.reminders.values_list("stage", flat=True)) == ["due_soon"]
    assert (
        Notification.objects.filter(obligation=o, recipient__username="junxi_town", text__endswith="即将到期").count()
        == 1
    )

    sweep(D(2026, 12, 21), ["station.signage"])
    o.refresh_from_db()
    assert o.state == "overdue"
    assert sorted(o.reminders.values_list("stage", flat=True)) == ["due_soon", "overdue"]
    assert Notification.objects.filter(obligation=o, recipient__username="datian_bureau").count() == 2
    # Shipai's government is told nothing about Junxi's station.
    assert not Notification.objects.filter(obligation=o, recipient__username="shipai_town").exists()

    Station.objects.filter(pk=station.pk).update(plaque_date=D(2026, 12, 22))
    r = sweep(D(2026, 12, 22), ["station.signage"])
    o.refresh_from_db()
    assert o.state == "done" and o.done_at is not None and r.kinds[0].done == 1
    r = sweep(D(2026, 12, 23), ["station.signage"])
    assert not r.kinds[0].changed

    # The plaque date was a mistake and is removed: the item is owed again, overdue, without a new reminder.
    Station.objects.filter(pk=station.pk).update(plaque_date=None)
    r = sweep(D(2026, 12, 24), ["station.signage"])
    o.refresh_from_db()
    assert (o.state, o.done_at, r.kinds[0].reopened, r.kinds[0].reminders) == ("overdue", None, 1, 0)


def test_a_later_due_date_moves_an_open_obligation_back(demo: None) -> None:
    station = junxi_station()
    Station.objects.filter(pk=station.pk).update(plaque_date=None)
    set_rule("350425", "milestone.signage_done", "2026-11-01", "[000 §4(5)]")
    sweep(D(2026, 11, 24), ["station.signage"])
    o = Obligation.objects.get(kind="station.signage", object_id=station.pk)
    assert o.state == "overdue"
    set_rule("350425", "milestone.signage_done", "2027-03-31", "[000 §4(5)]")
    r = sweep(D(2026, 11, 24), ["station.signage"])
    o.refresh_from_db()
    assert (o.due_date, o.state) == (D(2027, 3, 31), "upcoming")
    open_ones = Obligation.objects.filter(kind="station.signage").count()  # Junxi's and the others without a plaque
    assert r.kinds[0].updated == open_ones and r.kinds[0].reminders == 0


def test_deeper_policy_wins_and_no_policy_owes_nothing(demo: None) -> None:
    station = junxi_station()
    Station.objects.filter(pk=station.pk).update(plaque_date=None)
    set_rule("35", "milestone.signage_done", "2027-01-31", "[省 §1]")
    set_rule("350425100", "milestone.signage_done", {"date": "2027-02-28"}, "[镇 §2]")  # a typed value
    sweep(D(2026, 11, 24), ["station.signage"])
    junxi = Obligation.objects.get(kind="station.signage", object_id=station.pk)
    assert (junxi.due_date, junxi.clause) == (D(2027, 2, 28), "[镇 §2]")
    others = Obligation.objects.filter(kind="station.signage").exclude(pk=junxi.pk)
    assert others.exists() and set(others.values_list("due_date", "clause")) == {(D(2027, 1, 31), "[省 §1]")}
    # No rule for the opening milestone anywhere above these stations: nothing owed.
    assert not Obligation.objects.filter(kind="station.site").exists()


def test_closing_a_station_waives_its_open_obligations(demo: None) -> None:
    datian_milestones()
    sweep()
    o = Obligation.objects.filter(kind="station.signage", state="overdue").first()
    assert o is not None
    Station.objects.filter(pk=o.object_id).update(status="closed")
    r = sweep(D(2026, 11, 25), ["station.signage"])
    o.refresh_from_db()
    assert o.state == "waived" and o.waive_reason == "站点已关闭，不再需要挂牌。"
    assert o.waived_by is not None and o.waived_by.username == "system"
    assert r.kinds[0].voided == 1


def test_sweep_is_audited_under_the_system_name(demo: None) -> None:
    datian_milestones()
    before = AuditLog.objects.count()
    sweep()
    rows = AuditLog.objects.order_by("pk")[before:]
    assert rows and all(a.username == "system" for a in rows)
    assert {a.changes["kind"] for a in rows} >= {"station.signage"}
    n = AuditLog.objects.count()
    sweep()  # nothing changed: nothing to audit
    assert AuditLog.objects.count() == n


def test_management_command_runs_the_same_sweep(demo: None, capsys: pytest.CaptureFixture[str]) -> None:
    datian_milestones()
    call_command("sweep_obligations", "--date", "2026-11-24")
    out = capsys.readouterr().out
    assert "完成挂牌（揭牌）（station.signage）：新增" in out
    n = Obligation.objects.count()
    assert n > 0
    call_command("sweep_obligations", "--date", "2026-11-24")
    assert "新增 0，更新 0，完成 0，重新打开 0，免除 0，状态变化 0，提醒 0" in capsys.readouterr().out
    assert Obligation.objects.count() == n


def test_management_command_refuses_a_bad_date() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="日期格式"):
        call_command("sweep_obligations", "--date", "2026-13-45")


def test_beat_schedule_exists_once() -> None:
    from django_celery_beat.models import PeriodicTask

    tasks = PeriodicTask.objects.filter(task="obligations.sweep")
    assert tasks.count() == 1
    task = tasks.get()
    assert task.enabled and task.crontab is not None and task.crontab.hour == "2" and task.crontab.minute == "0"
