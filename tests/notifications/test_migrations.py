"""Data migrations of the notifications app, run on a real database."""

import pytest


@pytest.mark.django_db(transaction=True)
def test_an_old_confirmation_template_wishes_a_belle_rentree_only_before_the_rentree():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("notifications", "0010_notification_render_input")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    MessageTemplate = executor.loader.project_state(before).apps.get_model("notifications", "MessageTemplate")
    old = "Bonjour,\n\nVotre dossier :\n\n{{ link }}\n\nNous souhaitons une belle rentrée à {{ child.first_name }} !"
    MessageTemplate.objects.update_or_create(event="dossier_confirmed", defaults={"subject": "Confirmée", "body": old})
    MessageTemplate.objects.update_or_create(event="dossier_validated", defaults={
        "subject": "Validé", "body": "Nous souhaitons une belle rentrée à {{ child.first_name }} !"})

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from notifications.models import MessageTemplate as Current

    body = Current.objects.get(event="dossier_confirmed").body
    assert body.startswith("Bonjour,\n\nVotre dossier :\n\n{{ link }}\n\n{% if before_rentree %}")
    assert "{% else %}Nous souhaitons une belle année scolaire à {{ child.first_name }} !{% endif %}" in body
    # Another event's text, and a sentence an editor rewrote, are left as written.
    assert Current.objects.get(event="dossier_validated").body == (
        "Nous souhaitons une belle rentrée à {{ child.first_name }} !")
