"""Each flat monthly tariff becomes a service priced per month, for every
procedure it concerns: those whose payment stage names its service and
whose schools include its school (or that name no school), and those whose
dossiers already chose it. The service keeps a link to its tariff, so it
applies only to the dossiers whose family chose that tariff — existing
dossiers owe exactly what they owed."""

from django.db import migrations


def _raw(stream):
    raw = getattr(stream, "raw_data", stream) or []
    return [dict(block) for block in raw]


def forward(apps, schema_editor):
    Tariff = apps.get_model("billing", "Tariff")
    ProcedureService = apps.get_model("billing", "ProcedureService")
    PaymentArrangement = apps.get_model("billing", "PaymentArrangement")
    ProcedurePage = apps.get_model("workflows", "ProcedurePage")

    pairs = set(
        (page_id, tariff_id)
        for page_id, tariff_id in PaymentArrangement.objects.values_list("dossier__submission__page_id", "tariff_id")
        if page_id
    )
    for page in ProcedurePage.objects.all():
        services = set()
        for stage in _raw(page.stages):
            if stage.get("type") == "payment":
                services |= set((stage.get("value") or {}).get("services") or [])
        if not services:
            continue
        schools = set(page.schools.values_list("pk", flat=True))
        for tariff in Tariff.objects.filter(service__in=services):
            if not schools or tariff.school_id in schools:
                pairs.add((page.pk, tariff.pk))
    procedures = set(ProcedurePage.objects.filter(pk__in={p for p, _ in pairs}).values_list("pk", flat=True))
    tariffs = Tariff.objects.in_bulk({t for _, t in pairs})
    for page_id, tariff_id in sorted(pairs):
        tariff = tariffs[tariff_id]
        if page_id not in procedures or ProcedureService.objects.filter(procedure_id=page_id, tariff=tariff).exists():
            continue
        label = dict(Tariff._meta.get_field("service").flatchoices).get(tariff.service, tariff.service)
        name = str(label) + (f" ({tariff.description})" if tariff.description else "")
        ProcedureService.objects.create(
            procedure_id=page_id, school_year=tariff.school_year, school_id=tariff.school_id, kind=tariff.service,
            name=name[:100], unit="month", price=tariff.monthly_amount, question="", tariff=tariff,
        )


def backward(apps, schema_editor):
    apps.get_model("billing", "ProcedureService").objects.filter(tariff__isnull=False).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0005_services_and_calendar"),
    ]

    operations = [migrations.RunPython(forward, backward)]
