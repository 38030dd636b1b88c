from django.urls import path

from . import views

urlpatterns = [
    path("", views.PolicyListView.as_view(), name="policy-list"),
    path("effective/", views.PolicyEffectiveView.as_view(), name="policy-effective"),
    path("edit/", views.PolicyEditView.as_view(), name="policy-edit"),
    path("adopt/", views.PolicyAdoptView.as_view(), name="policy-adopt"),
]
