from django.urls import path

from .views import IndicatorListView, IndicatorValueView

urlpatterns = [
    path("indicators/", IndicatorListView.as_view(), name="indicators"),
    path("indicator-values/", IndicatorValueView.as_view(), name="indicator-values"),
]
