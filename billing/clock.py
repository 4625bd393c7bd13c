"""The one clock of billing's time rules (the cut-off of reservations,
the month a quotient applies from): ``now()``. Services take ``now`` as an
argument and fall back on this; tests of the pages replace it to stand on
either side of a cut-off."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    return timezone.now()
