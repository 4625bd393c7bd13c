"""A family changes next month's days on the « Réservations » calendar up to
the cut-off (the 20th of the month before, Martinique time), through
HTTP: reserved and cancelled days are what the bill counts; after the
cut-off, on a day without class, for a service the dossier has not, or on
another family's dossier, nothing changes. An absence the editors credit,
declared for a reserved day of a locked month, is one credit line on the
next bill."""

import datetime as dt
from decimal import Decimal
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from billing import clock, consumption, reservations, selectors
from billing.models import Absence, ProcedureService, ReservationChange
from tests.billing.test_month_amounts import editor_client, year_of_services  # noqa: F401 — fixtures
from tests.factories import FamilyFactory, UserFactory
from tests.forms.conftest import confirmed
from tests.workflows.conftest import child, director, family, home, parent, procedure, school  # noqa: F401
from workflows.models import Dossier

MQ = ZoneInfo("America/Martinique")
JANUARY = dt.date(2027, 1, 1)


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=MQ)


@pytest.fixture
def frozen(monkeypatch):
    """Stand at a moment of Martinique's time (billing's one clock)."""
    def freeze(moment: dt.datetime) -> dt.datetime:
        monkeypatch.setattr(clock, "now", lambda: moment)
        return moment
    return freeze


def a_pdf(text: str = "Certificat médical") -> bytes:
    from files.pdf import Document

    document = Document(text)
    document.text_block(text)
    return document.bytes()


def dossier_of(first_name: str) -> Dossier:
    return Dossier.objects.get(child__first_name=first_name)


def service(name: str) -> ProcedureService:
    return ProcedureService.objects.get(name=name)


def calendar_url(dossier: Dossier, svc: ProcedureService, month: dt.date | None = None) -> str:
    url = f"/paiements/reservations/{dossier.submission.public_id}/{svc.pk}/"
    return url + (f"?mois={month:%Y-%m}" if month else "")


def toggle(client, dossier, svc, day: dt.date, action: str):
    return client.post(calendar_url(dossier, svc), {"day": day.isoformat(), "action": action,
                                                    "mois": f"{day:%Y-%m}"})


def canteen_days(dossier: Dossier, month: dt.date = JANUARY) -> list[dt.date]:
    lines = selectors.dossier_month_lines(dossier=dossier, month=month)
    return list(next(line.days for line in lines if line.service == "Cantine"))


def day_state(response, day: dt.date) -> str:
    html = response.content.decode()
    marker = f'id="jour-{day.isoformat()}"'
    assert marker in html, day
    cell = html[html.index(marker):]
    return cell[cell.index('data-state="') + 12:].split('"', 1)[0]


LEA_JANUARY = [dt.date(2027, 1, d) for d in (4, 5, 11, 12, 18, 19, 25, 26)]  # Mondays and Tuesdays of class


def test_a_family_reserves_and_cancels_days_before_the_cut_off(client, year_of_services, frozen):
    frozen(at(2026, 12, 20, 23, 59))  # the last minute of the 20th, Martinique time
    lea, canteen = dossier_of("Léa"), service("Cantine")
    assert canteen_days(lea) == LEA_JANUARY
    assert "/paiements/reservations/" in client.get("/dossiers/").content.decode()  # from « Mes dossiers »
    index = client.get("/paiements/reservations/")
    assert index.status_code == 200 and calendar_url(lea, canteen) in index.content.decode()
    page = client.get(calendar_url(lea, canteen))  # opens on January, the month still open
    assert page.status_code == 200
    text = unescape(page.content.decode())
    assert "janvier 2027" in text.lower() and "jusqu'au 20 décembre 2026 inclus" in text
    assert day_state(page, dt.date(2027, 1, 4)) == "reserved"
    assert day_state(page, dt.date(2027, 1, 7)) == "free"  # a Thursday, not chosen in the answers
    assert day_state(page, dt.date(2027, 1, 1)) == "closed"  # New Year's Day

    response = toggle(client, lea, canteen, dt.date(2027, 1, 7), "add")
    assert response.status_code == 302 and response["Location"].endswith("?mois=2027-01#jour-2027-01-07")
    assert toggle(client, lea, canteen, dt.date(2027, 1, 4), "cancel").status_code == 302
    assert toggle(client, lea, canteen, dt.date(2027, 1, 4), "cancel").status_code == 302  # twice: the same

    expected = sorted(set(LEA_JANUARY) - {dt.date(2027, 1, 4)} | {dt.date(2027, 1, 7)})
    assert canteen_days(lea) == expected
    assert consumption.month_days(dossier=lea, service=canteen, month=JANUARY, planned=LEA_JANUARY) == expected
    line = next(li for li in selectors.dossier_month_lines(dossier=lea, month=JANUARY) if li.service == "Cantine")
    assert (line.quantity, line.amount) == (8, Decimal("30.40"))
    assert ReservationChange.objects.count() == 2
    page = client.get(calendar_url(lea, canteen, JANUARY))
    assert day_state(page, dt.date(2027, 1, 7)) == "reserved" and day_state(page, dt.date(2027, 1, 4)) == "cancelled"
    # Re-reserving a planned day brings it back; February's days are untouched.
    assert toggle(client, lea, canteen, dt.date(2027, 1, 4), "add").status_code == 302
    assert dt.date(2027, 1, 4) in canteen_days(lea)
    assert canteen_days(lea, dt.date(2027, 2, 1))[0] == dt.date(2027, 2, 1)


def test_after_the_cut_off_the_month_is_locked(client, year_of_services, frozen):
    frozen(at(2026, 12, 21, 0, 0, 30))  # already the 21st in Martinique
    lea, canteen = dossier_of("Léa"), service("Cantine")
    response = toggle(client, lea, canteen, dt.date(2027, 1, 5), "cancel")
    assert response.status_code == 400
    text = unescape(response.content.decode())
    assert "Le mois de janvier 2027 est verrouillé depuis le 20 décembre 2026" in text
    assert not ReservationChange.objects.exists() and canteen_days(lea) == LEA_JANUARY
    locked = client.get(calendar_url(lea, canteen, JANUARY))
    assert "est verrouillé depuis le 20 décembre 2026" in unescape(locked.content.decode())
    assert 'name="action"' not in locked.content.decode()  # no button on a locked month
    # The calendar now opens on February, still open until 20 January.
    assert "février 2027" in unescape(client.get(calendar_url(lea, canteen)).content.decode()).lower()
    assert toggle(client, lea, canteen, dt.date(2027, 2, 2), "cancel").status_code == 302


@pytest.mark.parametrize("day, why", [
    (dt.date(2027, 1, 6), "Wednesday, no class"),
    (dt.date(2027, 1, 1), "public holiday"),
    (dt.date(2027, 1, 9), "Saturday"),
    (dt.date(2027, 2, 8), "Vacances de Carnaval"),
    (dt.date(2027, 7, 5), "outside the months of school"),
])
def test_a_day_without_class_cannot_be_reserved(client, year_of_services, frozen, day, why):
    frozen(at(2026, 12, 10, 9))
    lea, canteen = dossier_of("Léa"), service("Cantine")
    response = toggle(client, lea, canteen, day, "add")
    assert response.status_code == 400, why
    text = unescape(response.content.decode())
    assert "n'est pas un jour de classe" in text or "n'est pas dans l'année scolaire" in text, why
    assert not ReservationChange.objects.exists()


def test_another_familys_dossier_and_a_service_not_chosen_are_refused(year_of_services, frozen):
    frozen(at(2026, 12, 10, 9))
    lea, noe, canteen, care = dossier_of("Léa"), dossier_of("Noé"), service("Cantine"), service("Garderie du soir")
    stranger = Client()
    stranger.force_login(confirmed(UserFactory(family=FamilyFactory(name="Autre"))))
    assert stranger.get(calendar_url(lea, canteen)).status_code == 404
    assert toggle(stranger, lea, canteen, dt.date(2027, 1, 4), "cancel").status_code == 404
    assert "Léa" not in stranger.get("/paiements/reservations/").content.decode()
    with pytest.raises(reservations.ReservationError) as refused:
        reservations.reservation_cancel(dossier=lea, service=canteen, day=dt.date(2027, 1, 4),
                                        by=UserFactory(family=FamilyFactory(name="Tiers")))
    assert "n'est pas celui d'un enfant de votre famille" in refused.value.message
    # Noé's answers said « non » to the after-school care: nothing to reserve.
    family_client = Client()
    family_client.force_login(confirmed(UserFactory(family=noe.family)))
    assert family_client.get(calendar_url(noe, care)).status_code == 404
    assert toggle(family_client, noe, care, dt.date(2027, 1, 4), "add").status_code == 404
    with pytest.raises(reservations.ReservationError) as refused:
        reservations.reservation_add(dossier=noe, service=care, day=dt.date(2027, 1, 4),
                                     by=UserFactory(family=noe.family))
    assert "n'est pas ouvert à ce dossier" in refused.value.message
    assert not ReservationChange.objects.exists()


def test_two_guardians_changing_the_same_month_lose_nothing(client, year_of_services, frozen, parent):
    frozen(at(2026, 12, 10, 9))
    lea, canteen = dossier_of("Léa"), service("Cantine")
    other = Client()
    other.force_login(confirmed(UserFactory(family=parent.family, email="jean@example.org")))
    # Both opened January's page before either changed anything.
    assert client.get(calendar_url(lea, canteen, JANUARY)).status_code == 200
    assert other.get(calendar_url(lea, canteen, JANUARY)).status_code == 200
    assert toggle(client, lea, canteen, dt.date(2027, 1, 7), "add").status_code == 302
    assert toggle(other, lea, canteen, dt.date(2027, 1, 5), "cancel").status_code == 302
    assert toggle(other, lea, canteen, dt.date(2027, 1, 7), "add").status_code == 302  # the same day, again
    days = canteen_days(lea)
    assert dt.date(2027, 1, 7) in days and dt.date(2027, 1, 5) not in days
    assert ReservationChange.objects.filter(day=dt.date(2027, 1, 7)).count() == 1


def test_an_allowed_absence_is_one_credit_line_on_the_next_bill(client, year_of_services, frozen):
    canteen = service("Cantine")
    canteen.absence_reasons = "Maladie avec certificat médical\nHospitalisation"
    canteen.save()
    lea = dossier_of("Léa")
    frozen(at(2027, 1, 12, 18))  # January is locked, February still open (its bill went out on 21 December)
    page = client.get(calendar_url(lea, canteen, JANUARY))
    assert "Déclarer une absence" in page.content.decode()
    url = f"/paiements/reservations/{lea.submission.public_id}/{canteen.pk}/absence/?mois=2027-01"
    refused = client.post(url, {"day": "2027-01-11", "reason": "Vacances en famille"})
    assert refused.status_code == 400 and "Choisissez un des motifs proposés" in unescape(refused.content.decode())
    not_reserved = client.post(url, {"day": "2027-01-07", "reason": "Maladie avec certificat médical"})
    assert not_reserved.status_code == 400  # a Thursday Léa does not eat at the canteen
    bad_file = client.post(url, {"day": "2027-01-11", "reason": "Maladie avec certificat médical",
                                 "document": SimpleUploadedFile("certificat.pdf", b"pas un PDF")})
    assert bad_file.status_code == 400 and not Absence.objects.exists()
    response = client.post(url, {"day": "2027-01-11", "reason": "Maladie avec certificat médical",
                                 "document": SimpleUploadedFile("certificat.pdf", a_pdf())})
    assert response.status_code == 302, unescape(response.content.decode())[-3000:]
    absence = Absence.objects.get()
    assert absence.credited_on == dt.date(2027, 3, 1) and absence.document.name.startswith("absences/")
    again = client.post(url, {"day": "2027-01-11", "reason": "Maladie avec certificat médical"})
    assert again.status_code == 400  # no longer offered
    family = lea.family
    credits = consumption.month_credits(family=family, month=dt.date(2027, 3, 1))
    assert [(c.child, c.service, c.quantity, c.unit_price, c.amount, c.days) for c in credits] == [
        ("Léa Joseph", "Avoir : Cantine", 1, Decimal("-3.80"), Decimal("-3.80"), (dt.date(2027, 1, 11),))]
    assert consumption.month_credits(family=family, month=dt.date(2027, 2, 1)) == []
    assert consumption.month_credits(family=family, month=dt.date(2027, 4, 1)) == []
    # A day of a month still open is cancelled, not declared absent.
    with pytest.raises(reservations.ReservationError) as open_month:
        reservations.absence_declare(dossier=lea, service=canteen, day=dt.date(2027, 2, 1),
                                     reason="Hospitalisation", by=UserFactory(family=family))
    assert "annulez plutôt ce jour" in open_month.value.message


def test_an_absence_declared_after_the_next_bill_is_credited_on_the_one_after(client, year_of_services, frozen):
    canteen = service("Cantine")
    canteen.absence_reasons = "Maladie avec certificat médical"
    canteen.save()
    lea = dossier_of("Léa")
    # March's bill went out on 21 January, the day after February locked: April's is next.
    frozen(at(2027, 1, 26, 18))
    url = f"/paiements/reservations/{lea.submission.public_id}/{canteen.pk}/absence/?mois=2027-01"
    assert client.post(url, {"day": "2027-01-26", "reason": "Maladie avec certificat médical"}).status_code == 302
    assert Absence.objects.get().credited_on == dt.date(2027, 4, 1)
    assert consumption.month_credits(family=lea.family, month=dt.date(2027, 3, 1)) == []
    assert len(consumption.month_credits(family=lea.family, month=dt.date(2027, 4, 1))) == 1


def test_editors_name_the_absences_credited(editor_client, home, school):  # noqa: F811
    from tests.billing.test_procedure_services import ADD, STEPS, form_errors, service_data
    from tests.forms.conftest import make_page

    page = make_page(home, STEPS, slug="cantine-absences", title="Cantine", stages=[])
    data = service_data(page, price="2.50")
    data["absence_reasons"] = "Maladie avec certificat médical\r\n\r\n  Hospitalisation  \r\n"
    response = editor_client.post(ADD, data)
    assert response.status_code == 302, form_errors(response)
    assert ProcedureService.objects.get().allowed_absence_reasons == ["Maladie avec certificat médical",
                                                                      "Hospitalisation"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_changes_of_two_guardians_are_both_kept(year_of_services, parent):
    """Two guardians' requests at the same instant, on real connections:
    each day keeps its change, the same day ends in one row (PostgreSQL
    locks the dossier row; SQLite serialises writes itself)."""
    import threading

    from django.db import connection

    lea, canteen = dossier_of("Léa"), service("Cantine")
    other = confirmed(UserFactory(family=parent.family, email="jean@example.org"))
    moment = at(2026, 12, 10, 9)
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []
    work = [(parent, dt.date(2027, 1, 7), reservations.reservation_add),
            (other, dt.date(2027, 1, 5), reservations.reservation_cancel),
            (parent, dt.date(2027, 1, 14), reservations.reservation_add),
            (other, dt.date(2027, 1, 14), reservations.reservation_add)]

    def run(user, day, change):
        try:
            barrier.wait(timeout=10)
            for attempt in range(20):
                try:
                    change(dossier=lea, service=canteen, day=day, by=user, now=moment)
                    break
                except Exception as error:  # SQLite: « database is locked » while another thread writes
                    if "locked" not in str(error) or attempt == 19:
                        raise
        except BaseException as error:  # noqa: BLE001 — reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    days = canteen_days(lea)
    assert {dt.date(2027, 1, 7), dt.date(2027, 1, 14)} <= set(days) and dt.date(2027, 1, 5) not in days
    assert ReservationChange.objects.filter(dossier=lea).count() == 3


def test_before_the_calendar_is_entered_the_month_page_says_so(client, year_of_services, frozen):
    from billing.models import SchoolCalendar

    SchoolCalendar.objects.all().delete()
    frozen(at(2026, 12, 10, 9))
    lea, canteen = dossier_of("Léa"), service("Cantine")
    page = client.get(calendar_url(lea, canteen))
    assert page.status_code == 200
    assert "Le calendrier scolaire 2026-2027 n'est pas encore publié" in unescape(page.content.decode())
    refused = client.post(calendar_url(lea, canteen), {"day": "2027-01-07", "action": "add", "mois": "2027-01"})
    assert refused.status_code == 409 and not ReservationChange.objects.exists()
