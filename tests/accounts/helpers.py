import html
import re

from django.core import mail

STRONG = "Cacahuete-Volcan-2026"


def text(response) -> str:
    """The page's text with HTML entities decoded, for French messages."""
    return html.unescape(response.content.decode())


def step(client, n: int, data: dict | None = None, action: str = "next", follow: bool = True):
    url = f"/compte/inscription/etape-{n}/"
    if data is None:
        return client.get(url, follow=follow)
    return client.post(url, {**data, "action": action}, follow=follow)


IDENTITY = {"last_name": "Joseph", "first_name": "Marie", "email": "marie.joseph@example.org"}


def signup_until(client, n: int, *, identity=IDENTITY, schools=()):
    """Walk the wizard up to (not through) step ``n``."""
    if n > 1:
        step(client, 1, identity)
    if n > 2:
        step(client, 2, {"password1": STRONG, "password2": STRONG})
    if n > 3:
        step(client, 3, {"schools": [s.pk for s in schools], "q": ""})


def links(message) -> list[str]:
    return re.findall(r"https?://\S+", message.body)


def last_mail_to(address: str):
    found = [m for m in mail.outbox if address in m.to]
    assert found, f"no message to {address} in {[m.to for m in mail.outbox]}"
    return found[-1]


def path_of(link: str) -> str:
    return re.sub(r"^https?://[^/]+", "", link)
