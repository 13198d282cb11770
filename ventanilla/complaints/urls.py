from django.urls import path

from ventanilla.complaints import views

app_name = "complaints"
urlpatterns = [
    path("", views.complaint_list, name="list"),
    path("export.xlsx", views.complaint_export, name="export"),
    path("new/", views.complaint_register, name="register"),
    path("notifications/", views.notification_list, name="notifications"),
    path("pre-complaints/", views.pre_complaint_list, name="pre_complaints"),
    path("ledger/<str:code>/", views.ledger, name="ledger"),
    path("ledger/<str:code>/export.xlsx", views.ledger_export, name="ledger_export"),
    path("<str:reference>/", views.complaint_detail, name="detail"),
    path("<str:reference>/unmask/", views.complaint_unmask, name="unmask"),
    path("<str:reference>/steps/<str:step>/", views.complaint_step, name="step"),
]
