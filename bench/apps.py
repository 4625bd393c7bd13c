from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark's baselines (a bare insert, a plain Wagtail form page,
    Viewflow's stock task list) and its seeding commands. Installed only by
    ``bench.settings``: the product never ships them."""

    name = "bench"
    label = "bench"
    default_auto_field = "django.db.models.BigAutoField"
