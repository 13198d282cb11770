"""The REST API at /api/v1/: the endpoints, their OpenAPI schema and two documentation pages.

The documentation pages load Swagger UI and Redoc from drf-spectacular-sidecar's static files,
so they work on a bank intranet without internet access.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.template import engines
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import TemplateHTMLRenderer
from rest_framework.routers import DefaultRouter

from ventanilla.complaints import api as complaints_api
from ventanilla.counters import api as counters_api
from ventanilla.customers import api as customers_api
from ventanilla.org import api as org_api
from ventanilla.rectification import api as rectification_api
from ventanilla.surveys import api as surveys_api

# drf-spectacular's Redoc page links web fonts from fonts.googleapis.com; this one keeps its
# body and drops those links, so the page uses the browser's own fonts.
_REDOC_PAGE = """{% extends "drf_spectacular/redoc.html" %}
{% block head %}
<title>{{ title|default:"Redoc" }}</title>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body { margin: 0; padding: 0; }</style>
{% endblock head %}
"""


class _LocalRedocRenderer(TemplateHTMLRenderer):
    def resolve_template(self, template_names: Any) -> Any:
        return engines["django"].from_string(_REDOC_PAGE)


class LocalRedocView(SpectacularRedocView):
    renderer_classes = [_LocalRedocRenderer]


app_name = "api"

router = DefaultRouter()
router.register("org-units", org_api.OrgUnitViewSet, basename="org-unit")
router.register("employees", org_api.EmployeeViewSet, basename="employee")
router.register("groups", org_api.OrgGroupViewSet, basename="group")
router.register("emergency-contacts", org_api.EmergencyContactViewSet, basename="emergency-contact")
customers_api.register(router)
surveys_api.register(router)
counters_api.register(router)
complaints_api.register(router)
rectification_api.register(router)

urlpatterns = [
    path(
        "schema/",
        SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]),
        name="schema",
    ),
    # The pages send an anonymous visitor to the login page; the schema they fetch is
    # then read with the session.
    path(
        "docs/",
        login_required(SpectacularSwaggerView.as_view(url_name="api:schema")),
        name="docs",
    ),
    path(
        "redoc/",
        login_required(LocalRedocView.as_view(url_name="api:schema")),
        name="redoc",
    ),
    path("", include(router.urls)),
]
