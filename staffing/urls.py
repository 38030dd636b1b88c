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
    path("recruitment/", views.RecruitmentPlanListView.as_view(), name="recruitment-list"),
    path("recruitment/new/", views.RecruitmentPlanCreateView.as_view(), name="recruitment-create"),
    path("recruitment/<int:pk>/", views.RecruitmentPlanDetailView.as_view(), name="recruitment-detail"),
    path("recruitment/<int:pk>/edit/", views.RecruitmentPlanEditView.as_view(), name="recruitment-edit"),
    path("recruitment/<int:pk>/file/", views.RecruitmentPlanFileView.as_view(), name="recruitment-file"),
    path(
        "recruitment/<int:pk>/acknowledge/",
        views.RecruitmentPlanAcknowledgeView.as_view(),
        name="recruitment-acknowledge",
    ),
    path("stations/<int:pk>/team/", views.StationTeamView.as_view(), name="station-team"),
]
