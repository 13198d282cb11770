from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language

from ventanilla.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("jsi18n/", login_not_required(JavaScriptCatalog.as_view()), name="javascript-catalog"),
    path("switch-unit/", core_views.switch_unit, name="switch_unit"),
    path("audit/", core_views.audit_list, name="audit_list"),
    path("org/", include("ventanilla.org.urls")),
    path("customers/", include("ventanilla.customers.urls")),
    path("surveys/", include("ventanilla.surveys.urls")),
    path("counters/", include("ventanilla.counters.urls")),
    path("complaints/", include("ventanilla.complaints.urls")),
    path("reports/", include("ventanilla.reports.urls")),
    path("rectification/", include("ventanilla.rectification.urls")),
    path("api/v1/", include("ventanilla.api_urls")),
    path("admin/", admin.site.urls),
]
