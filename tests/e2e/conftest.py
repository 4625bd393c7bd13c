"""Browser tests: the app as a family meets it, in Debian's headless Chromium.

What runs, once per pytest session (see ``server.py`` for why):

- ``mailbox``: an aiosmtpd SMTP server on a free localhost port, keeping
  every message (``mailbox.wait_for(to=…)``, ``mail.link_starting_with(app.url)``);
- ``app``: a fresh database (SQLite file, or a PostgreSQL database beside
  pytest-django's when ``DATABASE_URL`` says so) migrated and loaded with the
  demo (``load_demo``), served by gunicorn on a free port, with
  ``manage.py run_huey`` consuming the queue (SqliteHuey, or RedisHuey under
  a key prefix of this run) and mail sent over SMTP to the mailbox.
  ``app.url``, ``app.manage(…)``, ``app.shell(code)``. Everything stops and
  is removed at the end, even after a failure; the server and consumer logs
  are kept in ``tests/artifacts/logs/``.

And per test, Chromium pages through Playwright:

- ``new_page("telephone" | "ordinateur")``: a page in a browser context of
  its own (its own cookies: one per person of the journey), French, in
  America/Martinique time; JavaScript errors fail the test;
- ``phone`` / ``page``: one such page on a phone / a laptop viewport;
- ``screenshot(page, name)``: a PNG in ``tests/artifacts/screenshots/``
  (git-ignored); a failing test also leaves one of each page it opened;
- ``assert_accessible(page, name=…)`` from ``tests.e2e.a11y``: axe-core in French.

Playwright and Chromium are started per test *module*, not per session:
Playwright's synchronous API keeps an event loop running in the main thread,
and Django refuses ORM calls there, which would break the database tests
that pytest runs after these.

Without Chromium every test here is skipped with one clear reason, and the
rest of the suite runs as usual.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator

import pytest

from .browser import ACTION_TIMEOUT_MS, CHROMIUM, CHROMIUM_FLAGS, VIEWPORTS, screenshot as _screenshot
from .mail import Mailbox, SmtpSink
from .server import LiveApp, free_port, serve

SKIP_NO_CHROMIUM = "Chromium absent : tests navigateur ignorés (apt-get install chromium chromium-driver)"
SKIP_NO_PLAYWRIGHT = "Playwright absent : tests navigateur ignorés (pip install -e '.[test]')"

_skip_reasons: set[str] = set()


def _missing_tool() -> str:
    if CHROMIUM is None:
        return SKIP_NO_CHROMIUM
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return SKIP_NO_PLAYWRIGHT
    return ""


@pytest.fixture(scope="session", autouse=True)
def _browser_available() -> None:
    if reason := _missing_tool():
        _skip_reasons.add(reason)
        pytest.skip(reason)


def pytest_terminal_summary(terminalreporter) -> None:
    for reason in sorted(_skip_reasons):
        terminalreporter.write_sep("=", "tests navigateur", yellow=True)
        terminalreporter.write_line(reason, yellow=True, bold=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the test so fixtures can tell a failure at teardown.
    report = yield
    setattr(item, f"rep_{report.when}", report)
    if report.skipped and isinstance(report.longrepr, tuple) and _skip_reasons:
        # One line in pytest's summary for the whole folder, not one per test.
        _path, _line, message = report.longrepr
        if any(reason in message for reason in _skip_reasons):
            report.longrepr = (__file__, inspect.getsourcelines(_missing_tool)[1], message)
    return report


# --- The live application ------------------------------------------------------


@pytest.fixture(scope="session")
def _smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink(free_port())
    with sink:
        yield sink


@pytest.fixture(scope="session")
def mailbox(_smtp: SmtpSink) -> Mailbox:
    return _smtp.mailbox


@pytest.fixture(scope="session")
def app(_smtp: SmtpSink) -> Iterator[LiveApp]:
    from django.conf import settings

    with serve(
        smtp_port=_smtp.port,
        database_url=settings.DATABASE_URL,
        redis_url=settings.REDIS_URL,
        key_prefix=f"{settings.REDIS_KEY_PREFIX}-e2e",
    ) as live:
        yield live


# --- The browser -----------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=ACTION_TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_page(browser, app: LiveApp, request) -> Iterator[Callable[..., object]]:
    contexts = []
    errors: list[str] = []

    def make(viewport: str = "telephone"):
        context = browser.new_context(
            base_url=app.url, locale="fr-FR", timezone_id="America/Martinique", **VIEWPORTS[viewport]
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{page.url} : {error}"))
        return page

    yield make

    try:
        call = getattr(request.node, "rep_call", None)
        if call is not None and call.failed:
            for i, context in enumerate(contexts):
                for j, page in enumerate(context.pages):
                    _screenshot(page, f"ECHEC-{request.node.name}-{i}-{j}")
    finally:
        for context in contexts:
            context.close()
    assert not errors, "Erreurs JavaScript dans la page :\n" + "\n".join(errors)


@pytest.fixture
def phone(new_page):
    """A page on a phone-sized viewport (360 × 780, touch)."""
    return new_page("telephone")


@pytest.fixture
def page(new_page):
    """A page on a laptop-sized viewport (1280 × 800)."""
    return new_page("ordinateur")


@pytest.fixture
def screenshot() -> Callable[..., object]:
    return _screenshot
