from django.db import migrations

SEGMENTS = [
    ("corporate", "对公客户", "Corporate", "Empresas"),
    ("high_end_individual", "高端个人客户", "High-end individual", "Particulares de alta gama"),
    ("mass_individual", "大众个人客户", "Mass individual", "Particulares de banca masiva"),
]
DIMENSIONS = [
    ("overall", "总体满意度", "Overall", "General"),
    ("staff_attitude", "服务态度", "Staff attitude", "Actitud del personal"),
    ("waiting_time", "等候时间", "Waiting time", "Tiempo de espera"),
    ("fees", "收费", "Fees", "Comisiones"),
    ("online_banking", "网上及手机银行", "Online and mobile banking", "Banca en línea y móvil"),
    ("loan_process", "贷款流程", "Loan process", "Proceso de préstamo"),
    ("product_information", "产品信息", "Product information", "Información de productos"),
    ("environment_facilities", "环境设施", "Environment and facilities", "Instalaciones"),
    (
        "professional_competence",
        "专业能力",
        "Professional competence",
        "Competencia profesional",
    ),
]


def seed(apps, schema_editor):
    Segment = apps.get_model("surveys", "Segment")
    Dimension = apps.get_model("surveys", "Dimension")
    for position, (code, zh, en, es) in enumerate(SEGMENTS):
        Segment.objects.update_or_create(
            code=code, defaults={"name": zh, "name_en": en, "name_es": es, "position": position}
        )
    for position, (code, zh, en, es) in enumerate(DIMENSIONS):
        Dimension.objects.update_or_create(
            code=code, defaults={"name": zh, "name_en": en, "name_es": es, "position": position}
        )


def unseed(apps, schema_editor):
    apps.get_model("surveys", "Segment").objects.filter(
        code__in=[s[0] for s in SEGMENTS]
    ).delete()
    apps.get_model("surveys", "Dimension").objects.filter(
        code__in=[d[0] for d in DIMENSIONS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
