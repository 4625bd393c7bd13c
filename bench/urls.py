from django.urls import path, re_path
from django.views.decorators.cache import cache_page
from wagtail import views as wagtail_views

from inscrire.urls import urlpatterns as product_urlpatterns

from . import views

# Before the product's, whose last pattern is Wagtail's catch-all.
urlpatterns = [
    path("bench/bare/", views.bare_insert, name="bench_bare"),
    path("bench/aide-brute/", views.help_bare, name="bench_help_bare"),
    path("bench/viewflow/", views.viewflow_queue, name="bench_viewflow"),
    # The page cache under test: Django's cache_page around Wagtail's serve,
    # in the product's configured cache (files, or Redis when REDIS_URL is set).
    re_path(r"^bench/cache/((?:[\w\-]+/)*)$", cache_page(300)(wagtail_views.serve), name="bench_cached_serve"),
    *product_urlpatterns,
]
