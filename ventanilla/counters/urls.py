from django.urls import path

from ventanilla.counters import views

app_name = "counters"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.xlsx", views.dashboard_export, name="dashboard_export"),
    path("staffing/", views.staffing_page, name="staffing"),
    path("league/", views.league, name="league"),
    path("league/publish/", views.league_publish, name="league_publish"),
    path("league/published/", views.league_publications, name="league_publications"),
    path(
        "league/published/<str:unit>/<int:year>-<int:month>/",
        views.league_published,
        name="league_published",
    ),
    path(
        "league/published/<str:unit>/<int:year>-<int:month>/pdf/",
        views.league_published_pdf,
        name="league_published_pdf",
    ),
    path(
        "league/published/<str:unit>/<int:year>-<int:month>/xlsx/",
        views.league_published_xlsx,
        name="league_published_xlsx",
    ),
    path("imports/", views.ticket_imports, name="imports"),
    path("tellers/me/", views.teller_me, name="teller_me"),
    path("tellers/<str:staff_number>/", views.teller_page, name="teller"),
    path("vip-windows/", views.vip_selection, name="vip_selection"),
    path("vip-windows/score/", views.vip_score_create, name="vip_score_create"),
    path("slow-tellers/", views.slow_tellers, name="slow_tellers"),
    path("errors/", views.teller_error_list, name="errors"),
    path("errors/new/", views.teller_error_create, name="error_create"),
]
