from django.urls import path

from . import views

app_name = "funding"

urlpatterns = [
    path("", views.FundingView.as_view(), name="estimate"),
    path("budgets/", views.BudgetListView.as_view(), name="budget-list"),
    path("budgets/new/", views.BudgetCreateView.as_view(), name="budget-create"),
    path("budgets/<int:pk>/", views.BudgetDetailView.as_view(), name="budget-detail"),
    path("budgets/<int:pk>/edit/", views.BudgetEditView.as_view(), name="budget-edit"),
    path("budgets/<int:pk>/spend/", views.ExpenditureCreateView.as_view(), name="expenditure-create"),
    path("expenditures/", views.ExpenditureListView.as_view(), name="expenditure-list"),
    path("expenditures/<int:pk>/", views.ExpenditureDetailView.as_view(), name="expenditure-detail"),
    path("expenditures/<int:pk>/receipt/", views.ReceiptView.as_view(), name="expenditure-receipt"),
    path("relief-bases/", views.ReliefBaseView.as_view(), name="relief-bases"),
    path("disbursements/", views.DisbursementListView.as_view(), name="disbursement-list"),
    path("disbursements/<int:pk>/", views.DisbursementDetailView.as_view(), name="disbursement-detail"),
]
