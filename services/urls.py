from django.urls import path

from . import views

urlpatterns = [
    path("", views.CatalogueListView.as_view(), name="catalogue-list"),
    path("items/<int:pk>/", views.CatalogueItemView.as_view(), name="catalogue-item"),
]
