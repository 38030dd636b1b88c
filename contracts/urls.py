from django.urls import path

from . import views

urlpatterns = [
    path("contracts/", views.ContractListView.as_view(), name="contract-list"),
    path("contracts/new/", views.ContractCreateView.as_view(), name="contract-create"),
    path("contracts/filings/", views.FilingListView.as_view(), name="contract-filings"),
    path("contracts/<int:pk>/receive-filing/", views.ReceiveFilingView.as_view(), name="contract-receive-filing"),
    path("contracts/<int:pk>/documents/", views.DocumentUploadView.as_view(), name="contract-document-upload"),
    path("contracts/documents/<int:pk>/", views.DocumentDownloadView.as_view(), name="contract-document"),
    path("contracts/<int:pk>/amendments/new/", views.AmendmentCreateView.as_view(), name="contract-amendment-create"),
    path("contracts/<int:pk>/terms/", views.ContractTermsView.as_view(), name="contract-terms"),
    path("contracts/<int:pk>/edit/", views.ContractEditView.as_view(), name="contract-edit"),
    path("contracts/<int:pk>/pdf/", views.AgreementPdfView.as_view(), name="contract-pdf"),
    path("contracts/<int:pk>/", views.ContractDetailView.as_view(), name="contract-detail"),
    path(
        "contracts/<int:pk>/<str:action>/",
        views.ContractTransitionView.as_view(),
        name="contract-transition",
    ),
    path(
        "contracts/<int:pk>/task-book/confirm/",
        views.TaskBookConfirmView.as_view(),
        name="contract-task-book-confirm",
    ),
    path("care-agreements/", views.CareAgreementListView.as_view(), name="care-agreement-list"),
    path("care-agreements/new/", views.CareAgreementCreateView.as_view(), name="care-agreement-create"),
    path("care-agreements/<int:pk>/", views.CareAgreementDetailView.as_view(), name="care-agreement-detail"),
    path("care-agreements/<int:pk>/edit/", views.CareAgreementEditView.as_view(), name="care-agreement-edit"),
    path(
        "care-agreements/<int:pk>/<str:action>/",
        views.CareAgreementTransitionView.as_view(),
        name="care-agreement-transition",
    ),
    path("procurements/", views.ProcurementListView.as_view(), name="procurement-list"),
    path("procurements/new/", views.ProcurementCreateView.as_view(), name="procurement-create"),
    path("procurements/<int:pk>/", views.ProcurementDetailView.as_view(), name="procurement-detail"),
    path("procurements/<int:pk>/bidders/", views.ProcurementBidderView.as_view(), name="procurement-add-bidder"),
    path("procurements/<int:pk>/award/", views.ProcurementAwardView.as_view(), name="procurement-award"),
]
