"""The card provider's callback, where it confirms a payment. Only the
per-payment endpoint of django-payments is exposed (its name,
``process_payment``, is what its models reverse): its per-provider static
endpoint answers a 500 for providers without webhooks, the dummy one
included."""

from django.urls import path
from payments.urls import process_data

urlpatterns = [path("process/<uuid:token>/", process_data, name="process_payment")]
