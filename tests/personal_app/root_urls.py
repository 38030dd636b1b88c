"""The project's URLs plus the test app's (ROOT_URLCONF of config/settings_test.py)."""

from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    *project_urlpatterns,
    path("personal-test/", include("tests.personal_app.urls")),
    path("personal-test/api/", include("tests.personal_app.api_urls")),
]
