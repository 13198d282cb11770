from django.urls import path

from ventanilla.surveys import views

app_name = "surveys"
urlpatterns = [
    path("", views.wave_list, name="wave_list"),
    path("waves/new/", views.wave_create, name="wave_create"),
    path("waves/<int:pk>/", views.wave_detail, name="wave_detail"),
    path("waves/<int:pk>/ranking/", views.wave_ranking, name="wave_ranking"),
    path(
        "waves/<int:pk>/ranking/<str:code>/target/",
        views.target_rank_set,
        name="target_rank_set",
    ),
    path("waves/<int:pk>/drivers/", views.wave_drivers, name="wave_drivers"),
    path("waves/<int:pk>/themes/", views.wave_themes, name="wave_themes"),
    path("waves/<int:pk>/themes/<slug:code>/", views.theme_responses, name="theme_responses"),
    path(
        "waves/<int:pk>/follow-up/",
        views.follow_up_threshold_set,
        name="follow_up_threshold_set",
    ),
    path(
        "responses/<int:pk>/themes/",
        views.response_themes_confirm,
        name="response_themes_confirm",
    ),
    path("themes/lexicon/", views.theme_lexicon, name="theme_lexicon"),
    path(
        "themes/lexicon/<int:pk>/remove/",
        views.theme_keyword_remove,
        name="theme_keyword_remove",
    ),
    path("waves/<int:pk>/tables.xlsx", views.wave_export, name="wave_export"),
    path("waves/<int:pk>/responses.xlsx", views.response_export, name="response_export"),
    path("import/", views.import_upload, name="import_upload"),
    path("import/<str:token>/", views.import_map, name="import_map"),
]
