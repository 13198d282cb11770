"""Seed the classification lists and the national default time limit policy.

The three JR/T 0169-2018 axes (channel, business type, cause) are a plausible subset of
the standard's categories, under our own short codes; a bank replaces or extends them in
the admin. The default policy follows the 2020 measures on complaint handling by banking
and insurance institutions: a decision within 15 days, +15 with the sub-branch president's
approval, +30 more with the superior branch's, external appraisal not counted; reminders
at 50% and 80% of the time and at the breach.
"""

from django.db import migrations

CODES = [
    # axis, code, zh, en, es
    ("channel", "CH01", "营业网点", "Outlet counter", "Ventanilla de oficina"),
    ("channel", "CH02", "自助机具", "Self-service machine", "Cajero y autoservicio"),
    ("channel", "CH03", "网上银行", "Online banking", "Banca en línea"),
    ("channel", "CH04", "手机银行", "Mobile banking", "Banca móvil"),
    ("channel", "CH05", "电话银行", "Telephone banking", "Banca telefónica"),
    ("channel", "CH06", "监管转办", "Regulator referral", "Remitida por el regulador"),
    ("channel", "CH99", "其他渠道", "Other channel", "Otro canal"),
    ("business", "BT01", "人民币储蓄", "RMB savings", "Ahorro en RMB"),
    ("business", "BT02", "借记卡", "Debit card", "Tarjeta de débito"),
    ("business", "BT03", "信用卡", "Credit card", "Tarjeta de crédito"),
    ("business", "BT04", "个人贷款", "Personal loans", "Préstamos personales"),
    ("business", "BT05", "支付结算", "Payment and settlement", "Pagos y liquidación"),
    ("business", "BT06", "理财产品", "Wealth management", "Gestión patrimonial"),
    ("business", "BT07", "代理业务", "Agency business", "Negocio de agencia"),
    ("business", "BT08", "人民币管理", "Cash (RMB) management", "Gestión de efectivo"),
    ("business", "BT09", "对公业务", "Corporate banking", "Banca de empresas"),
    ("business", "BT99", "其他业务", "Other business", "Otro negocio"),
    ("cause", "CA01", "服务态度及服务质量", "Service attitude and quality", "Actitud y calidad"),
    ("cause", "CA02", "管理制度、业务规则与流程", "Rules and procedures", "Normas y procesos"),
    ("cause", "CA03", "营销方式和手段", "Marketing practices", "Prácticas comerciales"),
    ("cause", "CA04", "信息披露", "Information disclosure", "Divulgación de información"),
    ("cause", "CA05", "定价收费", "Pricing and fees", "Precios y comisiones"),
    ("cause", "CA06", "合同条款", "Contract terms", "Cláusulas del contrato"),
    ("cause", "CA07", "消费者资金安全", "Safety of funds", "Seguridad de los fondos"),
    ("cause", "CA08", "个人信息安全", "Personal data security", "Seguridad de datos personales"),
    ("cause", "CA09", "等候时间过长", "Long waiting time", "Espera demasiado larga"),
    ("cause", "CA99", "其他原因", "Other cause", "Otra causa"),
    ("root_cause", "RC01", "员工服务意识不足", "Staff service awareness", "Actitud del personal"),
    ("root_cause", "RC02", "员工业务技能不足", "Staff skills", "Competencia del personal"),
    ("root_cause", "RC03", "流程设计缺陷", "Process design", "Diseño del proceso"),
    ("root_cause", "RC04", "系统故障", "System failure", "Fallo del sistema"),
    ("root_cause", "RC05", "产品设计缺陷", "Product design", "Diseño del producto"),
    ("root_cause", "RC06", "人手不足", "Understaffing", "Falta de personal"),
    ("root_cause", "RC07", "客户误解", "Customer misunderstanding", "Malentendido del cliente"),
    ("root_cause", "RC99", "其他", "Other", "Otra"),
]

DEFAULT_POLICY = {
    "name": "全国默认时限（2020年办法）",
    "decision_days": 15,
    "day_kind": "calendar",
    "first_contact_days": 1,
    "extension_steps": [
        {"days": 15, "approver": "sub_branch"},
        {"days": 30, "approver": "superior"},
    ],
    "paused_statuses": ["suspended"],
    "escalation_levels": [
        {"level": "handler", "at": 0.5},
        {"level": "outlet_head", "at": 0.8},
        {"level": "breach", "at": 1.0},
    ],
}


def seed(apps, schema_editor):
    Code = apps.get_model("complaints", "ClassificationCode")
    Policy = apps.get_model("complaints", "TimeLimitPolicy")
    for axis, code, zh, en, es in CODES:
        Code.objects.get_or_create(
            axis=axis, code=code, defaults={"name": zh, "name_en": en, "name_es": es}
        )
    if not Policy.objects.filter(unit__isnull=True).exists():
        Policy.objects.create(unit=None, **DEFAULT_POLICY)


def unseed(apps, schema_editor):
    Code = apps.get_model("complaints", "ClassificationCode")
    Policy = apps.get_model("complaints", "TimeLimitPolicy")
    Code.objects.filter(code__in=[c[1] for c in CODES]).delete()
    Policy.objects.filter(unit__isnull=True, name=DEFAULT_POLICY["name"]).delete()


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
