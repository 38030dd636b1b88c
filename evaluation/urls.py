from django.urls import path

from . import views

urlpatterns = [
    path("evaluations/", views.EvaluationListView.as_view(), name="evaluation-list"),
    path("evaluations/new/", views.EvaluationCreateView.as_view(), name="evaluation-create"),
    path("evaluations/pass-mark/", views.PassMarkView.as_view(), name="evaluation-pass-mark"),
    path("evaluations/template/", views.EvaluationTemplatePage.as_view(), name="evaluation-template"),
    path("evaluations/template/adopt/", views.TemplateAdoptView.as_view(), name="evaluation-template-adopt"),
    path("evaluations/template/<int:pk>/", views.TemplateEditView.as_view(), name="evaluation-template-edit"),
    path("evaluations/ratings/", views.StationRatingPage.as_view(), name="station-ratings"),
    path("evaluations/ratings/rules/", views.StarRulesView.as_view(), name="star-rules"),
    path("evaluations/ratings/publish/", views.StarRatingsPublishView.as_view(), name="star-ratings-publish"),
    path("evaluations/renewals/", views.RenewalListView.as_view(), name="renewal-list"),
    path("evaluations/renewals/<int:pk>/", views.RenewView.as_view(), name="renewal-create"),
    path("evaluations/<int:pk>/", views.EvaluationDetailView.as_view(), name="evaluation-detail"),
    path("evaluations/<int:pk>/self/", views.EvaluationSelfView.as_view(), name="evaluation-self"),
    path("evaluations/<int:pk>/score/", views.EvaluationScoreView.as_view(), name="evaluation-score"),
    path("evaluations/<int:pk>/finalize/", views.EvaluationFinalizeView.as_view(), name="evaluation-finalize"),
]
