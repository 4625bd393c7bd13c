"""Reminders 7 days and 1 day before the due date, and the overdue flag
after it, through the functions the Huey periodic tasks run."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from billing import services, tasks
from billing.constants import PaymentMode
from billing.models import PaymentArrangement
from notifications.constants import Event
from notifications.models import Notification
from notifications.services import notification_deliver
from workflows.constants import DossierState

from .conftest import choose

pytestmark = pytest.mark.django_db
MQ = ZoneInfo("America/Martinique")


def at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=MQ)


def count(event, dossier) -> int:
    return Notification.objects.filter(event=event, object_id=str(dossier.pk)).count()


def test_reminders_before_the_due_date_once_each(client, awaiting):
    choose(client, awaiting, PaymentMode.CASH)
    due = PaymentArrangement.objects.get().due_date
    assert due.day == 20

    assert services.payments_send_reminders(now=at(due - dt.timedelta(days=8))) == 0
    assert services.payments_send_reminders(now=at(due - dt.timedelta(days=7))) == 1
    services.payments_send_reminders(now=at(due - dt.timedelta(days=7), 18))  # twice the same day
    services.payments_send_reminders(now=at(due - dt.timedelta(days=3)))  # still the 7-day reminder
    assert count(Event.PAYMENT_REMINDER, awaiting) == 1
    services.payments_send_reminders(now=at(due - dt.timedelta(days=1)))
    assert count(Event.PAYMENT_REMINDER, awaiting) == 2
    reminder = Notification.objects.filter(event=Event.PAYMENT_REMINDER).latest("pk")
    notification_deliver(notification_id=reminder.pk)  # the message is rendered by its delivery
    reminder.refresh_from_db()
    assert "45,50" in reminder.body_text
    # After the due date: no more reminders, the overdue flag takes over.
    assert services.payments_send_reminders(now=at(due + dt.timedelta(days=1))) == 0


def test_a_missed_day_is_caught_up_with_the_latest_reminder_only(client, awaiting):
    choose(client, awaiting, PaymentMode.CASH)
    due = PaymentArrangement.objects.get().due_date
    services.payments_send_reminders(now=at(due - dt.timedelta(days=1)))
    assert count(Event.PAYMENT_REMINDER, awaiting) == 1


def test_overdue_is_flagged_after_the_20th_in_martinique_time_never_cancelled(client, awaiting, finance):
    choose(client, awaiting, PaymentMode.CASH)
    arrangement = PaymentArrangement.objects.get()
    due = arrangement.due_date
    # 23:59 on the 20th in Fort-de-France (already the 21st in UTC): still on time.
    assert services.payments_flag_overdue(now=at(due, 23, 59)) == 0
    assert services.payments_flag_overdue(now=at(due + dt.timedelta(days=1), 0, 1)) == 1
    assert services.payments_flag_overdue(now=at(due + dt.timedelta(days=2))) == 0  # once
    arrangement.refresh_from_db()
    awaiting.refresh_from_db()
    assert arrangement.overdue_at is not None
    assert awaiting.state == DossierState.AWAITING_PAYMENT
    assert count(Event.PAYMENT_OVERDUE, awaiting) == 1
    client.force_login(finance)
    html = client.get("/cms/paiements/").content.decode()
    assert "Dossiers en retard de paiement (1)" in html and awaiting.reference in html


def test_a_dossier_with_no_choice_yet_is_reminded_with_the_lowest_tariff(awaiting):
    from billing.selectors import payment_terms

    terms = payment_terms(dossier=awaiting)
    assert terms.amount == Decimal("30.00") and terms.arrangement is None
    services.payments_send_reminders(now=at(terms.due_date - dt.timedelta(days=7)))
    assert count(Event.PAYMENT_REMINDER, awaiting) == 1


def test_cash_recorded_at_23_59_on_the_20th_is_on_time(client, awaiting, finance):
    choose(client, awaiting, PaymentMode.CASH)
    due = PaymentArrangement.objects.get().due_date
    payment = services.cash_record(dossier=awaiting, by=finance, amount=Decimal("45.50"), receipt_number="Z-1",
                                   received_at=at(due, 23, 59))
    assert payment.on_time
    awaiting.refresh_from_db()
    assert awaiting.state == DossierState.CONFIRMED


def test_the_periodic_tasks_run(client, awaiting):
    choose(client, awaiting, PaymentMode.CASH)
    tasks.payments_remind.call_local()
    tasks.payments_flag_overdue.call_local()
