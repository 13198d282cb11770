from django.urls import path

from ventanilla.rectification import views

app_name = "rectification"

urlpatterns = [
    path("", views.plan_board, name="board"),
    path("new/", views.plan_create, name="plan_create"),
    path("my/", views.my_measures, name="my_measures"),
    path("plans/<str:reference>/", views.plan_detail, name="plan_detail"),
    path("plans/<str:reference>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<str:reference>/goals/new/", views.goal_add, name="goal_add"),
    path("plans/<str:reference>/sections/new/", views.section_add, name="section_add"),
    path("plans/<str:reference>/findings/new/", views.finding_add, name="finding_add"),
    path("plans/<str:reference>/measures/new/", views.measure_add, name="measure_add"),
    path("plans/<str:reference>/<slug:step>/", views.plan_step, name="plan_step"),
    path("suggestions/<int:pk>/accept/", views.suggestion_accept, name="suggestion_accept"),
    path("suggestions/<int:pk>/discard/", views.suggestion_discard, name="suggestion_discard"),
    path("measures/<str:reference>/", views.measure_detail, name="measure_detail"),
    path("measures/<str:reference>/edit/", views.measure_edit, name="measure_edit"),
    path("measures/<str:reference>/<slug:action>/", views.measure_action, name="measure_action"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
]
