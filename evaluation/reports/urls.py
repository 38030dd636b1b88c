from django.urls import path

from . import views

urlpatterns = [
    path("reports/", views.BriefListView.as_view(), name="report-brief-list"),
    path("reports/queue/", views.BriefQueueView.as_view(), name="report-queue"),
    path("reports/briefs/<int:pk>/", views.BriefDetailView.as_view(), name="report-brief-detail"),
    path("reports/briefs/<int:pk>/edit/", views.BriefEditView.as_view(), name="report-brief-edit"),
    path("reports/briefs/<int:pk>/<str:step>/", views.BriefTransitionView.as_view(), name="report-brief-step"),
    path("reports/periodic/", views.PeriodicListView.as_view(), name="report-periodic-list"),
    path("reports/periodic/<int:pk>/", views.PeriodicDetailView.as_view(), name="report-periodic-detail"),
    path("reports/periodic/<int:pk>/submit/", views.PeriodicSubmitView.as_view(), name="report-periodic-submit"),
    path("reports/calendar/", views.CalendarPageView.as_view(), name="report-calendar-page"),
    path("reports/completeness/", views.CompletenessPageView.as_view(), name="report-completeness"),
]
