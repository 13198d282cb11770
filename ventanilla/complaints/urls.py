from django.urls import path

from ventanilla.complaints import views

app_name = "complaints"
urlpatterns = [
    path("", views.complaint_list, name="list"),
    path("export.xlsx", views.complaint_export, name="export"),
    path("figures/", views.complaint_figures, name="figures"),
    path("figures/export.xlsx", views.complaint_figures_export, name="figures_export"),
    path("new/", views.complaint_register, name="register"),
    path("notifications/", views.notification_list, name="notifications"),
    path("pre-complaints/", views.pre_complaint_list, name="pre_complaints"),
    path("ledger/<str:code>/", views.ledger, name="ledger"),
    path("ledger/<str:code>/export.xlsx", views.ledger_export, name="ledger_export"),
    path("<str:reference>/", views.complaint_detail, name="detail"),
    path("<str:reference>/unmask/", views.complaint_unmask, name="unmask"),
    path("<str:reference>/attachments/", views.attachment_add, name="attach"),
    path(
        "<str:reference>/attachments/<int:pk>/",
        views.attachment_download,
        name="attachment",
    ),
    path("<str:reference>/acknowledge/", views.complaint_acknowledge, name="acknowledge"),
    path("<str:reference>/steps/<str:step>/", views.complaint_step, name="step"),
]
