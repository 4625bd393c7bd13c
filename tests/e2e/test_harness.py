"""The plumbing the journey stands on: the app is served, its Huey consumer
runs queued work, and the mail it sends is caught."""

import uuid

import pytest

pytest.importorskip("playwright.sync_api")


def test_the_consumer_runs_a_queued_task_whose_mail_reaches_the_sink(app, mailbox):
    token = uuid.uuid4().hex[:12]
    recipient = f"sonde-{token}@exemple.mq"

    app.shell(
        "from tests.e2e.probe import send_probe_mail\n"
        f"send_probe_mail.enqueue({recipient!r}, {token!r})\n"
    )

    mail = mailbox.wait_for(to=recipient, subject_contains=token)
    assert f"tâche {token}" in mail.text


def test_the_browser_is_debian_chromium_headless(phone):
    phone.goto("/")
    user_agent = phone.evaluate("navigator.userAgent")
    assert "HeadlessChrome" in user_agent
    assert phone.evaluate("window.innerWidth") == 360


def test_axe_catches_serious_problems_and_explains_them_in_french(phone):
    from .a11y import assert_accessible

    phone.set_content(
        '<!doctype html><html lang="fr"><head><title>Essai</title></head><body><main>'
        '<h1>Essai</h1><img src="/photo.png"><p style="color:#bbb;background:#fff">Texte trop pâle</p>'
        "</main></body></html>"
    )
    with pytest.raises(AssertionError) as failure:
        assert_accessible(phone)
    report = str(failure.value)
    assert "[critical] image-alt — Les images doivent avoir une alternative textuelle" in report
    assert "[serious] color-contrast" in report
