"""The staff list's counter (``DossierCount``, issue 22): kept by the
services in the same transaction as each transition, repaired by its
command, filled by its migration, read by the list — whose queries no
longer count the dossiers, and stay the same in number as they grow."""

import re
from importlib import import_module
from io import StringIO

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.factories import DossierFactory, GuardianFactory, SchoolFactory, SubmissionFactory, UserFactory
from workflows import services
from workflows.constants import DossierState
from workflows.models import Dossier, DossierCount

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return SchoolFactory(name="École du Bourg")


@pytest.fixture
def director(school):
    user = UserFactory(director=True)
    school.directors.add(user)
    return user


def submit(school) -> Dossier:
    parent = GuardianFactory()
    submission = SubmissionFactory(submitted=True, child__family=parent.family, school=school, submitted_by=parent)
    with transaction.atomic():
        dossier = services.dossier_open(submission=submission)
    dossier.parent = parent
    return dossier


def stored() -> dict:
    return {(r.school_id, r.procedure_id, r.directors, r.state): r.count
            for r in DossierCount.objects.all() if r.count}


def by_state() -> dict:
    counts = {}
    for (_school, _procedure, _directors, state), n in stored().items():
        counts[state] = counts.get(state, 0) + n
    return counts


def test_each_transition_moves_its_count_in_the_same_transaction(client, school, director):
    first, second, third, fourth = (submit(school) for _ in range(4))
    assert by_state() == {DossierState.SUBMITTED: 4}
    assert stored() == services.dossier_counts_recount()

    client.force_login(director)
    assert client.post(f"/cms/dossiers/{first.pk}/decision/validate/", {"validate-comment": ""}).status_code == 302
    assert client.post(f"/cms/dossiers/{second.pk}/decision/refuse/",
                       {"refuse-comment": "Hors secteur."}).status_code == 302
    assert client.post(f"/cms/dossiers/{third.pk}/decision/correct/",
                       {"correct-comment": "Le justificatif manque."}).status_code == 302
    assert by_state() == {DossierState.CONFIRMED: 1, DossierState.REFUSED: 1, DossierState.CORRECTION: 1,
                          DossierState.SUBMITTED: 1}
    assert stored() == services.dossier_counts_recount()

    client.force_login(fourth.parent)
    response = client.post(f"/dossiers/{fourth.submission.public_id}/retirer/", {"reason": "Déménagement",
                                                                                  "confirm": "on"})
    assert response.status_code == 302
    # A decision refused (already decided) moves nothing.
    client.force_login(director)
    client.post(f"/cms/dossiers/{second.pk}/decision/validate/", {"validate-comment": ""})
    assert by_state() == {DossierState.CONFIRMED: 1, DossierState.REFUSED: 1, DossierState.CORRECTION: 1,
                          DossierState.WITHDRAWN: 1}
    assert stored() == services.dossier_counts_recount()

    services.dossier_delete(dossier=Dossier.objects.get(pk=second.pk))
    assert by_state() == {DossierState.CONFIRMED: 1, DossierState.CORRECTION: 1, DossierState.WITHDRAWN: 1}
    assert stored() == services.dossier_counts_recount()


def test_a_transition_that_fails_leaves_the_counts_as_they_were(school, director):
    dossier = submit(school)
    before = stored()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.dossier_validate(dossier=dossier, by=director)
        assert by_state() == {DossierState.CONFIRMED: 1}
        raise RuntimeError("rolled back")
    assert stored() == before == services.dossier_counts_recount()


def test_repair_fixes_a_tampered_row_and_says_what_it_fixed(school):
    other = SchoolFactory(name="École de la Plage")
    DossierFactory.create_batch(3, submission__school=school)
    DossierFactory(submission__school=school, state=DossierState.REFUSED)
    DossierFactory(submission__school=other)
    truth = services.dossier_counts_recount()
    assert stored() == truth

    DossierCount.objects.filter(school=school, state=DossierState.SUBMITTED).update(count=99)
    DossierCount.objects.filter(school=other).delete()
    DossierCount.objects.create(school=school, procedure_id=0, directors=True, state=DossierState.CONFIRMED, count=5)

    out = StringIO()
    call_command("repair_dossier_counts", stdout=out)
    report = out.getvalue()
    assert f"school {school.pk}, procedure 0, directors yes, submitted: 99 -> 3" in report
    assert f"school {other.pk}, procedure 0, directors yes, submitted: 0 -> 1" in report
    assert f"school {school.pk}, procedure 0, directors yes, confirmed: 5 -> 0" in report
    assert "3 count(s) fixed." in report
    assert stored() == truth

    out = StringIO()
    call_command("repair_dossier_counts", stdout=out)
    assert "nothing to fix" in out.getvalue()


def test_the_migration_fills_the_counter_from_the_dossiers(school):
    DossierFactory.create_batch(2, submission__school=school)
    DossierFactory(submission__school=school, state=DossierState.CONFIRMED)
    truth = services.dossier_counts_recount()
    DossierCount.objects.all().delete()
    import_module("workflows.migrations.0015_dossier_count").fill(django_apps, None)
    assert stored() == truth


def _list_queries(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def _counts_dossiers(sql: str) -> bool:
    return "COUNT(" in sql.upper() and re.search(r'FROM "workflows_dossier"', sql) is not None


def test_the_list_queries_are_as_many_with_3_dossiers_as_with_30_and_none_counts_them(client, school, director):
    client.force_login(director)
    procedure = DossierFactory(submission__school=school).submission.page_id
    DossierFactory.create_batch(2, submission__school=school)
    urls = ["/cms/dossiers/", "/cms/dossiers/?state=submitted", f"/cms/dossiers/?school={school.pk}"]
    if procedure:
        urls.append(f"/cms/dossiers/?procedure={procedure}")
    for url in urls:
        _list_queries(client, url)  # warm the caches (content types, site, procedure choices)
    few = {url: _list_queries(client, url) for url in urls}

    DossierFactory.create_batch(27, submission__school=school)
    many = {url: _list_queries(client, url) for url in urls}
    for url in urls:
        assert len(few[url]) == len(many[url]), (url, len(few[url]), len(many[url]))
        assert not [sql for sql in many[url] if _counts_dossiers(sql)], url


def test_the_page_shows_the_directors_own_numbers(client, school, director):
    other = SchoolFactory(name="École de la Plage")
    DossierFactory.create_batch(3, submission__school=school)
    DossierFactory.create_batch(2, submission__school=school, state=DossierState.CORRECTION)
    DossierFactory(submission__school=school, state=DossierState.CONFIRMED)
    DossierFactory.create_batch(4, submission__school=other)  # not his school
    validated = submit(school)
    services.dossier_validate(dossier=validated, by=director)  # one more confirmed, through the service

    client.force_login(director)
    html = client.get("/cms/dossiers/").content.decode()
    assert "3 dossiers attendent une décision." in html
    assert "7 dossiers au total" in html
    counts = dict(re.findall(r'data-count="(\w+)"><a href="\?state=\w+">[^<]+</a> : (\d+)', html))
    assert counts == {"submitted": "3", "correction": "2", "awaiting_payment": "0", "confirmed": "2",
                      "refused": "0", "withdrawn": "0"}
    assert "Page 1 sur 1" in html

    # The administrator sees every school's.
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    html = client.get("/cms/dossiers/").content.decode()
    assert "7 dossiers attendent une décision." in html
    assert "11 dossiers au total" in html


def test_a_long_filtered_list_is_paged_by_the_counter(client, school, director):
    DossierFactory.create_batch(26, submission__school=school)
    DossierFactory(submission__school=school, state=DossierState.REFUSED)
    client.force_login(director)
    assert "Page 1 sur 2" in client.get("/cms/dossiers/?state=submitted").content.decode()
    assert "Page 1 sur 1" in client.get("/cms/dossiers/?state=refused").content.decode()
    html = client.get("/cms/dossiers/?state=submitted&p=2").content.decode()
    assert len(re.findall(r'/cms/dossiers/(\d+)/"', html)) == 1


def test_a_directors_counts_are_his_scope_exactly(client, school, director):
    """The counter gives what ``dossiers_for_staff`` lets him see: not a
    dossier of his school that another group examines, unless its opinion
    was asked of him in person."""
    from workflows.models import DossierOpinion, ReviewerGroup
    from workflows.selectors import dossier_counts, dossiers_for_staff

    town = ReviewerGroup.objects.create(name="Mairie", kind="members")
    stages = [{"kind": "review", "title": "Mairie", "condition": None, "groups": [town.pk], "routing": "school",
               "routing_question": "", "fallback": None, "decisions": ["validate"], "delay_days": None,
               "group": town.pk, "note": ""}]
    DossierFactory.create_batch(2, submission__school=school)
    elsewhere, asked = DossierFactory.create_batch(2, submission__school=school, stages=stages, review_group=town)
    assert dossier_counts(user=director).total == dossiers_for_staff(user=director).count() == 2
    DossierOpinion.objects.create(dossier=asked, person=director, question="Votre avis ?")
    counts = dossier_counts(user=director)
    assert counts.total == dossiers_for_staff(user=director).count() == 3
    assert counts.waiting == 3
    client.force_login(director)
    assert "3 dossiers au total" in client.get("/cms/dossiers/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_simultaneous_decisions_keep_the_counts_right():
    """Two directors validating two dossiers of a school at the same moment,
    each on its connection: both increment the « confirmed » row that does
    not exist yet (one inserts it, the other adds to it), both decrement the
    « submitted » one; the counts still match the dossiers."""
    from tests.workflows.test_concurrency import TRIALS, race

    first, second = UserFactory(director=True), UserFactory(director=True)
    for _ in range(max(3, TRIALS // 3)):
        school = SchoolFactory()
        school.directors.add(first, second)
        one, two = submit(school), submit(school)
        outcomes = race(
            lambda: services.dossier_validate(dossier=one, by=first),
            lambda: services.dossier_validate(dossier=two, by=second),
        )
        assert outcomes == ["done", "done"], outcomes
        assert stored() == services.dossier_counts_recount()
        assert DossierCount.objects.get(school=school, state=DossierState.CONFIRMED).count == 2
