from django.urls import path

from .views import AdequacyCheckView, AdequacyView, EligibilityView, RequirementView

urlpatterns = [
    path("staffing/eligibility/", EligibilityView.as_view(), name="staffing-eligibility"),
    path("staffing/requirement/", RequirementView.as_view(), name="staffing-requirement"),
    path("staffing/adequacy/check/", AdequacyCheckView.as_view(), name="staffing-adequacy-check"),
    path("staffing/adequacy/", AdequacyView.as_view(), name="staffing-adequacy"),
]
