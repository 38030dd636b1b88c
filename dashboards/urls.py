from django.urls import path

from .service_views import ServiceAccountRevokeView, ServiceAccountsView
from .views import DashboardView

app_name = "dashboards"

urlpatterns = [
    path("", DashboardView.as_view(), name="dashboard"),
    path("service-accounts/", ServiceAccountsView.as_view(), name="service-accounts"),
    path("service-accounts/<int:pk>/revoke/", ServiceAccountRevokeView.as_view(), name="service-account-revoke"),
]
