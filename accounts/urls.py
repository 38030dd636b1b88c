from django.urls import path

from . import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("users/", views.OrgUserListView.as_view(), name="org-user-list"),
    path("users/new/", views.OrgUserCreateView.as_view(), name="org-user-create"),
    path("users/<int:pk>/", views.OrgUserDetailView.as_view(), name="org-user-detail"),
    path("second-factor/setup/", views.SecondFactorSetupView.as_view(), name="otp-setup"),
    path("second-factor/verify/", views.SecondFactorVerifyView.as_view(), name="otp-verify"),
    path("second-factor/recovery-codes/", views.RecoveryCodesView.as_view(), name="otp-recovery"),
]
