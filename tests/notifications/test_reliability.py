"""Nothing is lost when the consumer dies.

A few hundred notifications are queued; the real consumer (``manage.py
run_huey``, a separate process, on SqliteHuey and on RedisHuey) sends them
to a real SMTP server on localhost and is killed with SIGKILL several times
in the middle. After each death the sweep runs — what the periodic task
does every minute, run at once since the consumer is known dead — and the
consumer is started again. Every notification must arrive, none may be left
unsent, and duplicates (the window between the SMTP server accepting a
message and its row being marked sent) are at most one per kill: the
consumer runs one worker, so one message at most is in flight when it dies.

Push rows go through the same outbox: one recipient in three has turned
notifications on for a device of the local push service
(``pushservice.py``), so the consumer also sends encrypted pushes, and is
killed among them too — once more on purpose while a push is in flight:
the push service has taken it but not answered yet, the row is left
« sending », and the sweep sends it again. Every device must get its
message (decrypted with its own keys), and the duplicates of both channels
together stay within one per kill.
"""

import email
import email.policy
import os
import subprocess
import sys
import time
from collections import Counter

import pytest
from django.conf import settings
from django.db import transaction
from huey.contrib.djhuey import HUEY
from huey.storage import RedisStorage, SqliteStorage

from notifications.constants import Channel, Event, Status
from notifications.models import Notification
from notifications.services import DEFAULTS, notifications_sweep, notify, push_subscribe
from notifications.variables import sample_context
from tests.factories import UserFactory
from tests.processes import database_url

# A local run: 300 notifications, 3 kills. CI's PostgreSQL pass asks for the
# issue's 1,000 notifications and 10 kills.
COUNT = int(os.environ.get("RELIABILITY_NOTIFICATIONS", "300"))
KILLS = int(os.environ.get("RELIABILITY_KILLS", "3"))
# Messages received by the SMTP server when the consumer is killed, spread
# over the first two thirds of the run.
KILL_AT = tuple(COUNT * 2 * (i + 1) // (3 * KILLS) for i in range(KILLS))


@pytest.fixture(params=["sqlite", "redis"])
def consumer_queue(request, tmp_path):
    """Points this process's Huey at a queue of the given storage, and
    returns the environment that makes a consumer process use the same one."""
    kind = request.param
    if kind == "redis" and not settings.REDIS_URL:
        pytest.skip("RedisHuey needs REDIS_URL (CI's second pass sets it)")
    name = f"{settings.REDIS_KEY_PREFIX}-reliability-{kind}"
    if kind == "sqlite":
        storage = SqliteStorage(name=name, filename=str(tmp_path / "huey.sqlite3"))
    else:
        storage = RedisStorage(name=name, url=settings.REDIS_URL)
    HUEY.immediate = False
    configured = HUEY.storage
    HUEY.storage = storage
    storage.flush_all()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "inscrire.settings.base",
        "DJANGO_ENV": "development",
        "DEBUG": "false",
        "DATABASE_URL": database_url(),
        "DATA_DIR": str(tmp_path),  # SqliteHuey's file is DATA_DIR/huey.sqlite3
        "REDIS_URL": settings.REDIS_URL if kind == "redis" else "",
        "REDIS_KEY_PREFIX": name,  # the queue's name
        "HUEY_IMMEDIATE": "false",
        "HUEY_WORKERS": "1",
        "LOG_LEVEL": "WARNING",
    }
    yield storage, env
    storage.flush_all()
    HUEY.storage = configured
    HUEY.immediate = True


class Consumer:
    def __init__(self, env: dict, log_path) -> None:
        self.env, self.log_path, self.process = env, log_path, None

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                # SqliteHuey polls, backing off to HUEY_MAX_DELAY (1 s) when idle: a drain of a few
                # batch tasks can be over before an idle consumer looks. Both keep awake here.
                [sys.executable, "manage.py", "run_huey", "--workers", "1", "--max-delay", "0.2"],
                cwd=settings.BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        self.process.kill()  # SIGKILL: no clean-up, whatever it was doing
        self.process.wait(10)

    def wait_for(self, condition, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if self.process.poll() is not None:
                pytest.fail(f"the consumer exited with {self.process.returncode}:\n{self.log_path.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"timed out; consumer log:\n{self.log_path.read_text()[-3000:]}")
            time.sleep(0.005)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_killing_the_consumer_loses_nothing_and_duplicates_at_most_one_per_kill(
    consumer_queue, smtp, push_service, tmp_path
):
    storage, env = consumer_queue
    env = {**env, "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend"}
    env.update(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp.port), EMAIL_USE_TLS="false", EMAIL_USE_SSL="false")
    env.update(
        WEBPUSH_VAPID_PUBLIC_KEY=settings.WEBPUSH_VAPID_PUBLIC_KEY,
        WEBPUSH_VAPID_PRIVATE_KEY=settings.WEBPUSH_VAPID_PRIVATE_KEY,
        WEBPUSH_ENDPOINT_HOSTS="127.0.0.1",
    )
    context = sample_context(Event.PAYMENT_REMINDER)
    recipients = {f"parent{i:03d}@example.org" for i in range(COUNT)}
    users, devices = {}, {}
    for i, recipient in enumerate(sorted(recipients)):
        if i % 3 == 0:
            users[recipient] = UserFactory(email=recipient)
            devices[recipient] = push_service.device(f"appareil-{i:03d}")
            push_subscribe(user=users[recipient], endpoint=devices[recipient].endpoint,
                           p256dh=devices[recipient].p256dh, auth=devices[recipient].auth)
    # The device whose push is in flight at the last kill: the last in the queue, after the other kills
    # (the pushes are queued one per device, the e-mails one drain task per batch: the pushes go faster).
    held = devices[max(devices)]
    held.hold_first = 5.0
    started = time.monotonic()

    with transaction.atomic():
        for recipient in sorted(recipients):
            notify(event=Event.PAYMENT_REMINDER, recipient=recipient, key="reliability", context=context,
                   user=users.get(recipient))
    rows = COUNT + len(devices)
    assert Notification.objects.filter(channel=Channel.PUSH).count() == len(devices)
    # Enqueued after the commit: a task per push, and a drain task per batch of e-mails.
    assert storage.queue_size() == len(devices) + -(-COUNT // DEFAULTS["DELIVERY_BATCH"])

    consumer = Consumer(env, tmp_path / "consumer.log")
    kills, interrupted = 0, 0
    for target in KILL_AT:
        consumer.start()
        consumer.wait_for(lambda: smtp.count >= target, timeout=30)  # noqa: B023 - called within the iteration
        consumer.kill()
        kills += 1
        interrupted += Notification.objects.filter(status=Status.SENDING).count()
        notifications_sweep(pending_grace=0, sending_timeout=0)
    consumer.start()
    consumer.wait_for(lambda: held.received, timeout=30)
    consumer.kill()  # mid-push: the service holds the message, the consumer never hears back
    kills += 1
    in_flight = Notification.objects.get(status=Status.SENDING)
    assert in_flight.channel == Channel.PUSH and in_flight.push_subscription.endpoint == held.endpoint
    interrupted += 1
    notifications_sweep(pending_grace=0, sending_timeout=0)
    assert Notification.objects.exclude(status=Status.SENT).exists(), "killed too late: nothing was left to do"

    consumer.start()
    consumer.wait_for(lambda: not Notification.objects.exclude(status=Status.SENT).exists(), timeout=40 + rows // 10)
    consumer.kill()

    received = Counter(recipient for envelope in smtp.envelopes for recipient in envelope.rcpt_tos)
    pushed = Counter(message.device for message in push_service.received)
    duplicates = sum(copies - 1 for copies in received.values()) + sum(copies - 1 for copies in pushed.values())
    print(
        f"\n{storage.__class__.__name__}: {COUNT} e-mails and {len(devices)} pushes, {kills} kills, "
        f"{interrupted} interrupted sends, {len(smtp.envelopes)} e-mails and {len(push_service.received)} pushes "
        f"received, {duplicates} duplicates, {time.monotonic() - started:.1f} s"
    )
    assert set(received) == recipients  # every notification arrived
    assert set(pushed) == {device.name for device in devices.values()}  # and every push, decrypted by its device
    assert all(m.payload["body"].startswith("Rappel : un paiement est attendu") for m in push_service.received)
    assert push_service.refused == []
    assert Notification.objects.filter(status=Status.SENT).count() == rows  # none left unsent
    assert duplicates <= kills
    # A duplicate push carries the same tag: the phone shows it once.
    tags = Counter(message.payload["tag"] for message in push_service.received)
    assert len(tags) == len(devices)
    assert pushed[held.name] == 2 and len({m.payload["tag"] for m in held.received}) == 1
    # A duplicate is the same message: the same Message-ID, which mail clients fold into one.
    ids = Counter(
        email.message_from_bytes(envelope.content, policy=email.policy.default)["Message-ID"]
        for envelope in smtp.envelopes
    )
    assert len(ids) == COUNT and sum(ids.values()) == len(smtp.envelopes)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_consumers_draining_one_queue_at_once_never_send_a_row_twice(consumer_queue, smtp, tmp_path):
    """Two consumer processes on the same queue, both running before the
    messages are stored, race for the same batches: each row is claimed by
    one of them only (one attempt each), every message arrives once, and
    both consumers sent some (one worker each, so one SMTP connection each)."""
    storage, env = consumer_queue
    env = {**env, "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "LOG_LEVEL": "INFO"}
    env.update(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp.port), EMAIL_USE_TLS="false", EMAIL_USE_SSL="false")
    consumers = [Consumer(env, tmp_path / f"consumer-{n}.log") for n in (1, 2)]
    for consumer in consumers:
        consumer.start()
    for consumer in consumers:
        consumer.wait_for(lambda c=consumer: "consumer started" in c.log_path.read_text(), timeout=60)

    context = sample_context(Event.PAYMENT_REMINDER)
    recipients = [f"parent{i:03d}@example.org" for i in range(COUNT)]
    with transaction.atomic():
        for recipient in recipients:
            notify(event=Event.PAYMENT_REMINDER, recipient=recipient, key="two-consumers", context=context)
    try:
        consumers[0].wait_for(lambda: smtp.count >= COUNT and not Notification.objects.exclude(
            status=Status.SENT).exists(), timeout=60 + COUNT // 10)
        time.sleep(1)  # a second copy, if any, would arrive now
    finally:
        for consumer in consumers:
            consumer.kill()

    received = Counter(recipient for envelope in smtp.envelopes for recipient in envelope.rcpt_tos)
    print(f"\n{storage.__class__.__name__}: {COUNT} e-mails, {len(smtp.envelopes)} received over "
          f"{len(set(smtp.peers))} connections")
    assert set(received) == set(recipients) and max(received.values()) == 1
    assert len(smtp.envelopes) == COUNT
    assert set(Notification.objects.values_list("attempts", flat=True)) == {1}  # no row claimed twice
    assert len(set(smtp.peers)) >= 2  # both consumers took part
