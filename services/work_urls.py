"""Pages of the services work (issue 10), mounted at /services/ under the ``services`` namespace."""

from django.urls import path

from . import imports, views

app_name = "services"

urlpatterns = [
    path("", views.ServicesHomeView.as_view(), name="home"),
    path("lists/", views.ServiceListListView.as_view(), name="station-list-list"),
    path("lists/new/", views.ServiceListCreateView.as_view(), name="station-list-create"),
    path("lists/<int:pk>/", views.ServiceListDetailView.as_view(), name="station-list-detail"),
    path("beneficiaries/", views.BeneficiaryListView.as_view(), name="beneficiary-list"),
    path("beneficiaries/new/", views.BeneficiaryCreateView.as_view(), name="beneficiary-create"),
    path("beneficiaries/export/", views.BeneficiaryClearExportView.as_view(), name="beneficiary-export"),
    path("beneficiaries/import/", imports.BeneficiaryImportView.as_view(), name="beneficiary-import"),
    path("beneficiaries/import/template.xlsx", imports.template_view, name="beneficiary-import-template"),
    path("beneficiaries/<uuid:public_id>/", views.BeneficiaryDetailView.as_view(), name="beneficiary-detail"),
    path("beneficiaries/<uuid:public_id>/unmask/", views.BeneficiaryUnmaskView.as_view(), name="beneficiary-unmask"),
    path("beneficiaries/<uuid:public_id>/visit/", views.VisitCreateView.as_view(), name="visit-create"),
    path("visits/", views.VisitListView.as_view(), name="visit-list"),
    path("visits/<int:pk>/", views.VisitDetailView.as_view(), name="visit-detail"),
    path("escalations/", views.EscalationListView.as_view(), name="escalation-list"),
    path("escalations/<int:pk>/", views.EscalationDetailView.as_view(), name="escalation-detail"),
    path("records/", views.RecordListView.as_view(), name="record-list"),
    path("records/new/", views.RecordCreateView.as_view(), name="record-create"),
    path("records/<int:pk>/", views.RecordDetailView.as_view(), name="record-detail"),
    path("records/<int:pk>/photos/", views.PhotoUploadView.as_view(), name="photo-upload"),
    path("photos/<int:pk>/", views.PhotoView.as_view(), name="photo"),
    path("cases/", views.CaseListView.as_view(), name="case-list"),
    path("cases/new/", views.CaseCreateView.as_view(), name="case-create"),
    path("cases/<int:pk>/", views.CaseDetailView.as_view(), name="case-detail"),
    path("referrals/", views.ReferralListView.as_view(), name="referral-list"),
    path("referrals/<int:pk>/", views.ReferralDetailView.as_view(), name="referral-detail"),
    path("volunteers/", views.VolunteerView.as_view(), name="volunteers"),
]
