from django.urls import path

from . import views

app_name = "staffing"

urlpatterns = [
    path("", views.WorkerListView.as_view(), name="worker-list"),
    path("workers/new/", views.WorkerCreateView.as_view(), name="worker-create"),
    path("workers/export/", views.WorkerClearExportView.as_view(), name="worker-export"),
    path("workers/import/", views.RosterImportView.as_view(), name="roster-import"),
    path("workers/import/template/", views.RosterTemplateView.as_view(), name="roster-template"),
    path("workers/<uuid:public_id>/", views.WorkerDetailView.as_view(), name="worker-detail"),
    path("workers/<uuid:public_id>/edit/", views.WorkerEditView.as_view(), name="worker-edit"),
    path("workers/<uuid:public_id>/unmask/", views.WorkerUnmaskView.as_view(), name="worker-unmask"),
    path("screening/", views.ScreeningView.as_view(), name="screening"),
    path("adequacy/", views.AdequacyView.as_view(), name="adequacy"),
    path("wages/", views.WageListView.as_view(), name="wages"),
    path("stations/<int:pk>/team/", views.StationTeamView.as_view(), name="station-team"),
]
