"""A task that only the harness uses: enqueued from the live app, run by its
Huey consumer, it sends one e-mail to the SMTP sink. It proves the three
pieces of the journey's plumbing work together before any feature relies on
them. Importable by the consumer because it starts from the project root."""

from django.core.mail import send_mail
from django_tasks import task


@task()
def send_probe_mail(recipient: str, token: str) -> None:
    send_mail(
        subject=f"Sonde des tests navigateur {token}",
        message=f"Le consommateur Huey a bien traité la tâche {token}.",
        from_email=None,
        recipient_list=[recipient],
    )
