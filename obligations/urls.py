from django.urls import path

from . import views

urlpatterns = [
    path("obligations/", views.ObligationListView.as_view(), name="obligation-list"),
    path("obligations/<int:pk>/", views.ObligationDetailView.as_view(), name="obligation-detail"),
    path("notifications/", views.NotificationListView.as_view(), name="notification-list"),
    path("notifications/<int:pk>/read/", views.NotificationReadView.as_view(), name="notification-read"),
    path("notifications/read-all/", views.NotificationReadAllView.as_view(), name="notification-read-all"),
]
