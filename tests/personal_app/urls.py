from django.urls import path

from . import views

app_name = "personal_test"

urlpatterns = [
    path("people/", views.PersonListView.as_view(), name="person-list"),
    path("people/search/", views.PersonLookupView.as_view(), name="person-search"),
    path("people/export/", views.PersonClearExportView.as_view(), name="person-export"),
    path("people/<uuid:public_id>/", views.PersonDetailView.as_view(), name="person-detail"),
    path("people/<uuid:public_id>/unmask/", views.PersonUnmaskView.as_view(), name="person-unmask"),
]
