from django.urls import path

from ventanilla.counters import views

app_name = "counters"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.xlsx", views.dashboard_export, name="dashboard_export"),
    path("staffing/", views.staffing_page, name="staffing"),
    path("league/", views.league, name="league"),
    path("slow-tellers/", views.slow_tellers, name="slow_tellers"),
    path("errors/", views.teller_error_list, name="errors"),
    path("errors/new/", views.teller_error_create, name="error_create"),
]
