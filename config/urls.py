from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from .health import healthz

urlpatterns = [
    path("", include("accounts.urls")),
    path("", include("home.urls")),
    path("", include("stations.urls")),
    path("", include("core.urls")),
    path("", include("contracts.urls")),
    path("", include("evaluation.urls")),
    path("policies/", include("policies.urls")),
    path("catalogue/", include("services.urls")),
    path("services/", include("services.work_urls")),
    path("calendar/", include("workdays.urls")),
    path("staffing/", include("staffing.urls")),
    path("funding/", include("funding.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("", include("obligations.urls")),
    path("", include("evaluation.reports.urls")),
    path("api/v1/", include(("config.api_urls", "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: the Content-Security-Policy allows no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
]

# Chinese error pages in the site's layout, JSON under /api/ (core.views).
handler404 = "core.views.page_not_found"
handler403 = "core.views.permission_denied"
handler500 = "core.views.server_error"
