from django.db import models
from modelcluster.fields import ParentalKey
from wagtail.contrib.forms.models import AbstractForm, AbstractFormField


class BareRow(models.Model):
    """Baseline (a): what a bare Django view inserts, one row per POST."""

    child = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)


class BenchFormField(AbstractFormField):
    page = ParentalKey("BenchFormPage", on_delete=models.CASCADE, related_name="form_fields")


class BenchFormPage(AbstractForm):
    """Baseline (b): a plain ``wagtail.contrib.forms`` page with the same
    fifteen questions as the bench's enrolment form."""

    template = "bench/form_page.html"
    landing_page_template = "bench/form_page_landing.html"
