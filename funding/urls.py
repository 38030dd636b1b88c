from django.urls import path

from .views import FundingView

app_name = "funding"

urlpatterns = [
    path("", FundingView.as_view(), name="estimate"),
]
