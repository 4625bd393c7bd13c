"""Hostile input never breaks anything: 10,000 generated requests (GET and
POST, random and real field names, unicode, NUL bytes, oversized values,
odd paths and query strings, random files, PDFs with active content
written and hidden every way, a pixel bomb) against the form builder's
pages, the sign-up, the login, the family area and a second guardian's
invitation link, with and without a signed-in family: no 500, no
exception."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Child
from inscrire.demo.enrolment import enrolment_steps
from tests.factories import FamilyFactory, SchoolFactory, UserFactory, site_home
from tests.files import images
from tests.files.pdfs import ACTIVE
from tests.forms.conftest import confirmed, make_page

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

EXAMPLES = 1000
REQUESTS_PER_EXAMPLE = 10  # 10,000 requests in all

NASTY = [
    "", " ", "\x00", "a\x00b", "../../etc/passwd", "<script>alert(1)</script>", "{{ 7*7 }}", "{% debug %}",
    "' OR 1=1 --", "%00", "%", "%%", "9" * 40, "-1", "0", "1e309", "NaN", "Infinity", "2026-02-30", "31/12/9999",
    "0000-00-00", "oui", "non", "on", "true", "__index__", "\u202e\u0644\u0627", "💥" * 50, "\ud7ff", "ＡＢＣ",
    "javascript:alert(1)", "https://evil.example/", "//evil.example", "\r\nSet-Cookie: x=1",
]
text = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(codec="utf-8"), max_size=40),
    st.integers(min_value=1000, max_value=20000).map(lambda n: "é" * n),
    st.integers().map(str),
)


@pytest.fixture
def world(db):
    home = site_home(slug="accueil-fuzz")
    school = SchoolFactory()
    page = make_page(home, enrolment_steps(), slug="inscription-fuzz")
    page.schools.add(school)
    family = FamilyFactory()
    family.schools.add(school)
    child = Child.objects.create(family=family, first_name="Lou", last_name="Fuzz", birth_date=dt.date(2020, 1, 2))
    parent = confirmed(UserFactory(family=family))
    client = Client(raise_request_exception=True)
    client.force_login(parent)
    response = client.post("/dossiers/commencer/", {"page": page.pk, "child": child.pk})
    assert response.status_code == 302
    submission = page.dossier_submissions.get(child=child)
    # A second guardian's invitation whose link the requests follow, post to and spend.
    from accounts import services as account_services
    from accounts.models import hash_token

    guardian_token = "jeton-fuzz"
    invitation = account_services.guardian_invite(family=family, invited_by=parent, email="second@example.org")
    invitation.token_hash = hash_token(guardian_token)
    invitation.save(update_fields=["token_hash"])
    names = sorted({item["name"] for step in submission.definition["steps"] for item in step["items"]
                    if "name" in item})
    public_id = str(submission.public_id)
    paths = [
        "/dossiers/", "/dossiers/commencer/", f"/dossiers/{public_id}/", f"/dossiers/{public_id}/recapitulatif/",
        *(f"/dossiers/{public_id}/etape/{i}/" for i in range(len(submission.definition["steps"]) + 1)),
        f"/dossiers/{public_id}/suivi/", f"/dossiers/{public_id}/retirer/",
        "/compte/inscription/", *(f"/compte/inscription/etape-{i}/" for i in range(0, 7)),
        "/compte/connexion/", "/compte/", "/compte/coordonnees/", "/compte/enfants/ajouter/",
        f"/compte/enfants/{child.pk}/", "/compte/responsables/inviter/", "/compte/conditions/",
        "/compte/mot-de-passe/oublie/", "/compte/confirmation/renvoyer/", f"/{page.slug}/",
        f"/compte/invitation/{guardian_token}/", "/compte/invitation/x/", "/compte/inscription/termine/",
    ]
    return {"client": client, "paths": paths, "names": names + ["page", "child", "school", "_action",
                                                                  "email", "password1", "password2", "username",
                                                                  "password", "postal_code", "q", "next"]}


def requests(world):
    field_name = st.one_of(st.sampled_from(world["names"]), text)
    path = st.one_of(
        st.sampled_from(world["paths"]),
        st.tuples(st.sampled_from(world["paths"]), text).map(lambda pair: pair[0] + pair[1].replace("\x00", "%00")),
    )
    upload = st.builds(
        lambda name, content: SimpleUploadedFile(name or "x", content),
        st.sampled_from(["acte.pdf", "photo.jpg", "image.png", "x.exe", "../../a.pdf", "", "a" * 300 + ".pdf"]),
        st.one_of(st.binary(max_size=2000), st.just(b"%PDF-1.4\n%%EOF"), st.just(b"\x89PNG\r\n\x1a\n" + b"\0" * 50),
                  # Active PDFs written and hidden every way (tests/files/pdfs.py), and the pixel bomb.
                  st.sampled_from(list(ACTIVE.values())), st.just(images.bomb())),
    )
    return st.fixed_dictionaries({
        "method": st.sampled_from(["get", "post", "post"]),
        "signed_in": st.booleans(),
        "path": path,
        "query": st.dictionaries(field_name, text, max_size=3),
        "data": st.dictionaries(field_name, st.one_of(text, st.lists(text, max_size=3)), max_size=8),
        "files": st.dictionaries(st.sampled_from(world["names"]), upload, max_size=2),
    })


def send(world, anonymous: Client, request: dict):
    client = world["client"] if request["signed_in"] else anonymous
    if request["method"] == "get":
        return client.get(request["path"], request["query"])
    data = {**request["data"], **request["files"]}
    query = "&".join(f"{k[:20]}={v[:20]}" for k, v in request["query"].items() if "\x00" not in k + v)
    return client.post(request["path"] + ("?" + query if query else ""), data)


def test_ten_thousand_hostile_requests_never_give_a_500(world):
    anonymous = Client(raise_request_exception=True)
    seen = {"requests": 0}

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.lists(requests(world), min_size=REQUESTS_PER_EXAMPLE, max_size=REQUESTS_PER_EXAMPLE))
    def run(batch):
        for request in batch:
            response = send(world, anonymous, request)
            seen["requests"] += 1
            assert response.status_code < 500, (request["method"], request["path"], response.status_code)

    run()
    assert seen["requests"] >= EXAMPLES * REQUESTS_PER_EXAMPLE
