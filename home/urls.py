from django.urls import path

from . import overview, views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("overview/<str:code>/", overview.AreaSummaryView.as_view(), name="area-summary"),
]
