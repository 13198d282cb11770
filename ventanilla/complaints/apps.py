from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "ventanilla.complaints"
    label = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from ventanilla.complaints import models
        from ventanilla.complaints.panels import complaint_panels
        from ventanilla.core.views import register_dashboard_panels

        # Personal data never goes into the audit trail in clear: the fields are masked
        # in the entries, and who saw them is recorded as UnmaskEvent.
        auditlog.register(
            models.Complaint,
            mask_fields=["complainant_name", "id_number", "phone", "agent_name"],
        )
        auditlog.register(models.PreComplaint, mask_fields=["customer_name", "customer_phone"])
        for model in (
            models.ComplaintEvent,
            models.ComplaintPause,
            models.UnmaskEvent,
            models.EscalationNotice,
            models.TimeLimitPolicy,
            models.ClassificationCode,
            models.RapidAlert,
            models.ComplaintAttachment,
            models.CustomerBase,
        ):
            auditlog.register(model)
        register_dashboard_panels(complaint_panels)
