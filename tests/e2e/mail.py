"""A real SMTP server on localhost that keeps every message it receives, so a
test can wait for the e-mail a family would get and follow its link."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

MAIL_TIMEOUT = 60.0  # the consumer may be busy with Wagtail's jobs first

_URL = re.compile(r"https?://[^\s<>\"')]+")


@dataclass(frozen=True)
class CaughtMail:
    sender: str
    recipients: tuple[str, ...]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain", "html"))
        return part.get_content() if part is not None else ""

    @property
    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part is not None else ""

    @property
    def links(self) -> list[str]:
        return list(dict.fromkeys(_URL.findall(self.text + "\n" + self.html)))

    def link_starting_with(self, prefix: str) -> str:
        """The first link of the message under ``prefix`` (e.g. the live app's URL)."""
        for link in self.links:
            if link.startswith(prefix):
                return link
        raise AssertionError(f"no link under {prefix} in « {self.subject} »: {self.links}")


class Mailbox:
    """Everything the SMTP sink received during the run, newest last."""

    def __init__(self) -> None:
        self._messages: list[CaughtMail] = []
        self._arrived = threading.Condition()

    def receive(self, sender: str, recipients: list[str], content: bytes) -> None:
        mail = CaughtMail(sender, tuple(r.lower() for r in recipients),
                          message_from_bytes(content, policy=policy.default))
        with self._arrived:
            self._messages.append(mail)
            self._arrived.notify_all()

    def messages_to(self, address: str) -> list[CaughtMail]:
        with self._arrived:
            return [m for m in self._messages if address.lower() in m.recipients]

    def wait_for(self, *, to: str, subject_contains: str = "", timeout: float = MAIL_TIMEOUT) -> CaughtMail:
        """Block until a message to ``to`` (whose subject contains
        ``subject_contains``) has arrived; fail with what did arrive otherwise."""

        def found() -> CaughtMail | None:
            for mail in self._messages:
                if to.lower() in mail.recipients and subject_contains in mail.subject:
                    return mail
            return None

        with self._arrived:
            mail = self._arrived.wait_for(found, timeout=timeout)
            if mail is None:
                seen = [(m.recipients, m.subject) for m in self._messages]
                raise AssertionError(f"no e-mail to {to} about « {subject_contains} » within {timeout:.0f} s; got {seen}")
            return mail


class _Handler:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook name
        self.mailbox.receive(envelope.mail_from, envelope.rcpt_tos, envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


class SmtpSink:
    """``with SmtpSink(port) as mailbox:`` — aiosmtpd in a thread of the test process."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.mailbox = Mailbox()
        self._controller = Controller(_Handler(self.mailbox), hostname="127.0.0.1", port=port)

    def __enter__(self) -> Mailbox:
        self._controller.start()
        return self.mailbox

    def __exit__(self, *exc) -> None:
        self._controller.stop()
