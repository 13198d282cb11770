from django.db import migrations

# code, Chinese, English, Spanish, default role (10 viewer, 20 staff, 30 manager, 40 admin)
POSTS = [
    ("teller", "柜员", "Teller", "Cajero", 20),
    ("lobby_manager", "大堂经理", "Lobby manager", "Gerente de vestíbulo", 20),
    ("account_manager", "客户经理", "Account manager", "Gestor de cuentas", 20),
    ("financial_manager", "理财经理", "Financial manager", "Gestor financiero", 20),
    ("outlet_head", "网点负责人", "Outlet head", "Jefe de oficina", 30),
    ("department_head", "部门负责人", "Department head", "Jefe de departamento", 30),
    ("subbranch_president", "支行行长", "Sub-branch president", "Director de sucursal", 30),
    ("branch_president", "分行行长", "Branch president", "Director de sucursal regional", 30),
    ("inspector", "检查员", "Inspector", "Inspector", 10),
    ("auditor", "审计员", "Auditor", "Auditor", 10),
    ("administrator", "系统管理员", "Administrator", "Administrador", 40),
]


def seed(apps, schema_editor):
    Post = apps.get_model("org", "Post")
    for code, zh, en, es, role in POSTS:
        Post.objects.update_or_create(
            code=code, defaults={"name": zh, "name_en": en, "name_es": es, "default_role": role}
        )


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
