from django.urls import path

from .views import CategoriesView, EstimateView, ReliefCapView

urlpatterns = [
    path("funding/relief-cap/", ReliefCapView.as_view(), name="funding-relief-cap"),
    path("funding/categories/", CategoriesView.as_view(), name="funding-categories"),
    path("funding/estimate/", EstimateView.as_view(), name="funding-estimate"),
]
