from django.urls import path

from . import views

urlpatterns = [
    path("divisions/", views.DivisionListView.as_view(), name="division-list"),
    path("divisions/<str:code>/", views.DivisionDetailView.as_view(), name="division-detail"),
    path("stations/", views.StationListView.as_view(), name="station-list"),
    path("stations/grants/", views.StationGrantView.as_view(), name="station-grants"),
    path("stations/new/", views.StationCreateView.as_view(), name="station-create"),
    path("stations/<int:pk>/", views.StationDetailView.as_view(), name="station-detail"),
    path("stations/<int:pk>/edit/", views.StationUpdateView.as_view(), name="station-edit"),
]
