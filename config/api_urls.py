"""REST API v1 (mounted at /api/v1/ by config/urls.py). Every viewset reads through ``for_user``."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from accounts.api.views import LogoutView, MeView, ObtainTokenView, OrganisationViewSet
from contracts.api.views import CareAgreementViewSet, ContractViewSet, ProcurementViewSet
from dashboards.api.urls import urlpatterns as dashboard_urls
from evaluation.api.views import (
    EvaluationTemplateViewSet,
    EvaluationViewSet,
    RenewalViewSet,
    StationRatingPublishView,
    StationRatingView,
)
from evaluation.reports.api import BriefViewSet, CalendarView, CompletenessView, PeriodicReportViewSet
from funding.api.urls import urlpatterns as funding_urls
from funding.api.views import BudgetViewSet, DisbursementViewSet, ExpenditureViewSet, ReliefBaseViewSet
from obligations.api.views import NotificationViewSet, ObligationViewSet
from policies.api.views import PolicyViewSet
from services.api.views import (
    BeneficiaryViewSet,
    CaseViewSet,
    EscalationViewSet,
    IncubatedOrganisationViewSet,
    ReferralViewSet,
    ServiceCatalogueViewSet,
    ServiceItemViewSet,
    ServiceRecordViewSet,
    StationServiceListViewSet,
    VisitViewSet,
    VolunteerTeamViewSet,
)
from staffing.api.urls import urlpatterns as staffing_urls
from staffing.api.views import RecruitmentPlanViewSet, SocialWorkerViewSet
from stations.api.views import DivisionViewSet, StationViewSet
from workdays.api.views import DeadlineView, YearDaysView

app_name = "api"

router = DefaultRouter()
router.register("divisions", DivisionViewSet, basename="division")
router.register("stations", StationViewSet, basename="station")
router.register("policies", PolicyViewSet, basename="policy")
router.register("service-catalogues", ServiceCatalogueViewSet, basename="servicecatalogue")
router.register("service-items", ServiceItemViewSet, basename="serviceitem")
router.register("station-service-lists", StationServiceListViewSet, basename="stationservicelist")
router.register("beneficiaries", BeneficiaryViewSet, basename="beneficiary")
router.register("service-records", ServiceRecordViewSet, basename="servicerecord")
router.register("visits", VisitViewSet, basename="visit")
router.register("escalations", EscalationViewSet, basename="escalation")
router.register("cases", CaseViewSet, basename="case")
router.register("referrals", ReferralViewSet, basename="referral")
router.register("volunteer-teams", VolunteerTeamViewSet, basename="volunteerteam")
router.register("incubated-organisations", IncubatedOrganisationViewSet, basename="incubatedorganisation")
router.register("contracts", ContractViewSet, basename="contract")
router.register("procurements", ProcurementViewSet, basename="procurement")
router.register("care-agreements", CareAgreementViewSet, basename="careagreement")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("obligations", ObligationViewSet, basename="obligation")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("social-workers", SocialWorkerViewSet, basename="socialworker")
router.register("recruitment-plans", RecruitmentPlanViewSet, basename="recruitmentplan")
router.register("evaluations", EvaluationViewSet, basename="evaluation")
router.register("evaluation-templates", EvaluationTemplateViewSet, basename="evaluation-template")
router.register("renewals", RenewalViewSet, basename="renewal")
router.register("reports/briefs", BriefViewSet, basename="report-brief")
router.register("reports/periodic", PeriodicReportViewSet, basename="report-periodic")
router.register("budgets", BudgetViewSet, basename="budget")
router.register("expenditures", ExpenditureViewSet, basename="expenditure")
router.register("disbursements", DisbursementViewSet, basename="disbursement")
router.register("funding/relief-bases", ReliefBaseViewSet, basename="relief-base")

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="auth-token"),
    path("auth/logout/", LogoutView.as_view(), name="auth-logout"),
    path("me/", MeView.as_view(), name="me"),
    path("calendar/deadline/", DeadlineView.as_view(), name="calendar-deadline"),
    path("calendar/days/", YearDaysView.as_view(), name="calendar-days"),
    *staffing_urls,
    *funding_urls,
    *dashboard_urls,
    path("reports/calendar/", CalendarView.as_view(), name="report-calendar"),
    path("completeness/", CompletenessView.as_view(), name="completeness"),
    path("station-ratings/", StationRatingView.as_view(), name="station-ratings"),
    path("station-ratings/publish/", StationRatingPublishView.as_view(), name="station-ratings-publish"),
    *router.urls,
]
