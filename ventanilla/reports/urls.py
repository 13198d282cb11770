from django.urls import path

from ventanilla.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("new/", views.report_request, name="request"),
    path("<int:pk>/", views.report_status, name="status"),
    path("<int:pk>/status.json", views.report_status_json, name="status_json"),
    path("<int:pk>/download/", views.report_download, name="download"),
]
