"""Two saved column mappings: Ventanilla's own template, and the Technion call-centre log."""

from django.db import migrations

MAPPINGS = [
    {
        "name": "ventanilla",
        "vendor": "Ventanilla template",
        "service_on_column": "service_on|日期",
        "ticket_number_column": "ticket_number|票号",
        "business_type_column": "business_type|业务类型",
        "is_vip_column": "is_vip|贵宾",
        "customer_ref_column": "customer_ref|客户",
        "issued_at_column": "issued_at|取号时间",
        "called_at_column": "called_at|叫号时间",
        "started_at_column": "started_at|开始办理时间",
        "ended_at_column": "ended_at|结束时间",
        "window_column": "window|窗口",
        "teller_column": "teller|柜员号",
        "outcome_column": "outcome|结果",
        "date_format": "%Y-%m-%d",
        "times_have_dates": True,
        "times_roll_over_midnight": False,
        "clock_skew_seconds": 0,
        "vip_values": "1,Y,yes,true,是,VIP",
        "empty_values": "",
        "outcome_synonyms": {
            "完成": "served",
            "已办理": "served",
            "弃号": "abandoned",
            "过号": "no_show",
            "转移": "transferred",
        },
        "default_outcome": "served",
        "business_type_synonyms": {},
    },
    {
        # The Technion "Anonymous Bank" call log (January 1999): tab-separated, times without
        # dates, date as YYMMDD; see ../shared/data/README.md.
        "name": "technion-anonymous-bank",
        "vendor": "Technion service-engineering lab (call-centre log)",
        "service_on_column": "date",
        # call ids are numbered per voice-response line
        "ticket_number_column": "vru+line&call_id",
        "business_type_column": "type",
        "is_vip_column": "priority",
        "customer_ref_column": "customer_id",
        "issued_at_column": "q_start|vru_exit",
        "called_at_column": "ser_start",
        "started_at_column": "ser_start",
        "ended_at_column": "ser_exit",
        "window_column": "",
        "teller_column": "server",
        "outcome_column": "outcome",
        "date_format": "%y%m%d",
        "times_have_dates": False,
        "times_roll_over_midnight": True,
        # service often starts a second or two before the logged queue or VRU exit
        "clock_skew_seconds": 3600,
        "vip_values": "2",
        "empty_values": "0:00:00,NO_SERVER,0",
        "outcome_synonyms": {"AGENT": "served", "HANG": "abandoned", "PHANTOM": "no_show"},
        "default_outcome": "served",
        "business_type_synonyms": {},
    },
]


def seed(apps, schema_editor):
    TicketMapping = apps.get_model("counters", "TicketMapping")
    for values in MAPPINGS:
        TicketMapping.objects.update_or_create(name=values["name"], defaults=values)


def unseed(apps, schema_editor):
    TicketMapping = apps.get_model("counters", "TicketMapping")
    TicketMapping.objects.filter(name__in=[m["name"] for m in MAPPINGS]).delete()


class Migration(migrations.Migration):
    dependencies = [("counters", "0002_seed_business_types")]

    operations = [migrations.RunPython(seed, unseed)]
