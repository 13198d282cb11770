from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "ventanilla.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from ventanilla.customers import models

        # Personal data never goes into the audit trail in clear; who saw it in full is
        # recorded as CustomerUnmaskEvent.
        auditlog.register(models.Customer, mask_fields=["name", "id_number", "phone", "birthday"])
        auditlog.register(models.RelationshipAssignment)
        auditlog.register(models.CustomerUnmaskEvent)
