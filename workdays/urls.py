from django.urls import path

from . import views

urlpatterns = [
    path("", views.CalendarYearView.as_view(), name="calendar-year"),
    path("deadline/", views.DeadlineCalculatorView.as_view(), name="calendar-deadline"),
    path("arrangement/", views.ArrangementView.as_view(), name="calendar-arrangement"),
]
