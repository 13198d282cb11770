from django.urls import path
from django.views.generic import RedirectView

from ventanilla.org import views, views_import

app_name = "org"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="org:tree"), name="index"),
    path("tree/", views.tree, name="tree"),
    path("units/<str:code>/", views.unit_detail, name="unit_detail"),
    path("employees/", views.employee_list, name="employee_list"),
    path("employees/export.xlsx", views.employee_export, name="employee_export"),
    path("employees/new/", views.employee_create, name="employee_create"),
    path("employees/<str:staff_number>/", views.employee_detail, name="employee_detail"),
    path("employees/<str:staff_number>/edit/", views.employee_edit, name="employee_edit"),
    path("groups/", views.group_list, name="group_list"),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
    path(
        "groups/<int:pk>/members/<int:member_pk>/remove/",
        views.group_member_remove,
        name="group_member_remove",
    ),
    path("contacts/", views.contact_list, name="contact_list"),
    path("contacts/new/", views.contact_create, name="contact_create"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    # Import of units and employees (views_import.py).
    path("import/", views_import.import_upload, name="import_upload"),
    path("import/<str:token>/", views_import.import_preview, name="import_preview"),
]
