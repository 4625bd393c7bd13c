"""Signals of the content side.

``school_year_prepared`` is sent when an editor prepares next school year's
pages (``cms.services.school_year_next``), with ``from_year`` and
``to_year`` (« 2026-2027 », « 2027-2028 ») and ``by``: what other apps
carry over from one year to the next (the tariffs) follows it, without the
content side knowing them.
"""

from django.dispatch import Signal

school_year_prepared = Signal()
