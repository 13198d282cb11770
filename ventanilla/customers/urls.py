from django.urls import path

from ventanilla.customers import views

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="list"),
    path("export/", views.customer_export, name="export"),
    path("<str:number>/", views.customer_detail, name="detail"),
    path("<str:number>/reassign/", views.customer_reassign, name="reassign"),
    path("<str:number>/unmask/", views.customer_unmask, name="unmask"),
]
