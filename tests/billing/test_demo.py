import pytest

from billing.models import PaymentSettings, Tariff
from billing.sepa import creditor_identifier_is_valid

pytestmark = pytest.mark.django_db


def test_demo_has_tariffs_and_a_creditor_and_loads_twice(demo):
    from inscrire.demo.loader import load_demo

    count = Tariff.objects.count()
    assert count >= 3
    assert creditor_identifier_is_valid(PaymentSettings.load().creditor_identifier)
    load_demo()
    assert Tariff.objects.count() == count
