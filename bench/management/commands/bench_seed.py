"""Seed the benchmark's world on top of the demo: a school with its director,
the bench's enrolment forms (15 questions; and the same with two PDFs), the
plain Wagtail form page with the same questions, and families that may
submit at once (confirmed address, terms accepted), each with enough
children for its client. Writes ``bench_manifest.json`` in DATA_DIR for the
load client, and the help page's HTML for the bare baseline."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test import Client
from django.utils import timezone

from accounts.constants import Role
from accounts.models import Child, Family
from accounts.selectors import current_consent_documents
from accounts.services import consents_record
from inscrire.demo.loader import load_demo
from cms.models import HelpPage, HomePage, School
from inscrire.demo.enrolment import review
from workflows.constants import GroupKind
from workflows.models import ProcedurePage, ReviewerGroup

from ... import forms as bench_forms
from ...models import BenchFormField, BenchFormPage
from ...views import HELP_HTML

PASSWORD = "banc-d-essai-2026"
DOMAIN = "bench.localhost"


def _director(email: str, school: School):
    User = get_user_model()
    user, _created = User.objects.get_or_create(
        email=email, defaults={"first_name": "Direction", "last_name": "Banc", "password": make_password(PASSWORD),
                               "email_confirmed_at": timezone.now()})
    user.groups.add(Group.objects.get_or_create(name=Role.DIRECTOR.value)[0])
    school.directors.add(user)
    return user


def _enrolment_page(home: HomePage, slug: str, school: School, *, with_files: bool) -> ProcedurePage:
    page = ProcedurePage.objects.filter(slug=slug).first()
    if page is None:
        # One stage, as the product's usual procedure: a review by the school's directors.
        page = ProcedurePage(title=f"Banc d'essai — {slug}", slug=slug, form=bench_forms.stream(with_files=with_files),
                             stages=[review("Validation par l'école", [ReviewerGroup.objects.get(
                                 kind=GroupKind.SCHOOL_DIRECTORS)])])
        home.add_child(instance=page)
        page.schools.add(school)
        page.save_revision().publish()
    return page


def _wagtail_page(home: HomePage) -> BenchFormPage:
    page = BenchFormPage.objects.filter(slug="banc-wagtail").first()
    if page is None:
        page = BenchFormPage(title="Banc d'essai — formulaire Wagtail", slug="banc-wagtail")
        for order, spec in enumerate(bench_forms.wagtail_fields()):
            page.form_fields.add(BenchFormField(sort_order=order, label=spec["label"], field_type=spec["field_type"],
                                                required=spec["required"], choices=spec["choices"]))
        home.add_child(instance=page)
        page.save_revision().publish()
    return page


class Command(BaseCommand):
    help = "Seed the benchmark's families, forms and baselines (idempotent for the pages; families are added)."

    def add_arguments(self, parser):
        parser.add_argument("--families", type=int, default=50)
        parser.add_argument("--children", type=int, default=10, help="children per family")

    def handle(self, *args, families: int, children: int, **options):
        load_demo()
        with transaction.atomic():
            home = HomePage.objects.first()
            school, _ = School.objects.get_or_create(
                name="École du banc d'essai", defaults={"postal_code": "97228", "commune": "Sainte-Luce"})
            inbox_school, _ = School.objects.get_or_create(
                name="École de la boîte de réception", defaults={"postal_code": "97228", "commune": "Sainte-Luce"})
            _director(f"direction@{DOMAIN}", school)
            _director(f"direction.boite@{DOMAIN}", inbox_school)
            ours = _enrolment_page(home, "banc-15-questions", school, with_files=False)
            ours_files = _enrolment_page(home, "banc-15-questions-2-pdf", school, with_files=True)
            wagtail_page = _wagtail_page(home)
            documents = current_consent_documents(schools=[school])
            User = get_user_model()
            start = Family.objects.count()
            password = make_password(PASSWORD)
            created = Family.objects.bulk_create(
                [Family(name=f"Banc {start + i}", postal_code="97228", commune="Sainte-Luce", phone="0696123456")
                 for i in range(families)])
            clients = []
            for family in created:
                family.schools.add(school)
                user = User.objects.create(email=f"famille{family.pk}@{DOMAIN}", first_name="Marie",
                                           last_name=family.name, family=family, password=password,
                                           email_confirmed_at=timezone.now())
                consents_record(family=family, user=user, documents=documents)
                kids = Child.objects.bulk_create(
                    [Child(family=family, first_name=f"Enfant{n}", last_name=family.name,
                           birth_date=date(2019, 5, 4), level="CP") for n in range(children)])
                clients.append({"email": user.email, "children": [kid.pk for kid in kids]})

        help_page = HelpPage.objects.live().order_by("path").first()
        browser = Client(HTTP_HOST="127.0.0.1")
        html = browser.get(help_page.url)
        Path(settings.DATA_DIR, HELP_HTML).write_bytes(html.content)
        wagtail_data = {field.clean_name: bench_forms.answers()[spec["clean_name"]]
                        for field, spec in zip(wagtail_page.form_fields.order_by("sort_order"),
                                               bench_forms.wagtail_fields())}
        manifest = {
            "password": PASSWORD,
            "clients": clients,
            "director": f"direction@{DOMAIN}",
            "inbox_director": f"direction.boite@{DOMAIN}",
            "school": school.pk,
            "inbox_school": inbox_school.pk,
            "ours": ours.pk,
            "ours_files": ours_files.pk,
            "answers": bench_forms.answers(),
            "files": [name for name, _label in bench_forms.FILES],
            "wagtail_url": wagtail_page.url,
            "wagtail_data": wagtail_data,
            "help_url": help_page.url,
            "help_status": html.status_code,
            "help_bytes": len(html.content),
        }
        Path(settings.DATA_DIR, "bench_manifest.json").write_text(json.dumps(manifest))
        self.stdout.write(f"{families} families × {children} children; help page {help_page.url} "
                          f"({html.status_code}, {len(html.content)} bytes)")
