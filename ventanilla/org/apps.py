from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "ventanilla.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from ventanilla.core.scoping import set_grant_loader
        from ventanilla.core.views import register_dashboard_panels
        from ventanilla.org import models, panels, selectors

        set_grant_loader(selectors.grants_for_user)
        register_dashboard_panels(panels.organisation_panels)
        for model in (
            models.OrgUnit,
            models.Post,
            models.Employee,
            models.PostAssignment,
            models.OrgGroup,
            models.GroupMembership,
            models.EmergencyContact,
        ):
            auditlog.register(model)
