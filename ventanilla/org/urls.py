from django.urls import path

from ventanilla.org import views_import

app_name = "org"
urlpatterns = [
    # Import of units and employees (views_import.py).
    path("import/", views_import.import_upload, name="import_upload"),
    path("import/<str:token>/", views_import.import_preview, name="import_preview"),
]
