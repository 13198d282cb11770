"""The 58 counter business types of the source plan, with a benchmark bank's handling times."""

from django.db import migrations

# code, Chinese, English, Spanish, segment, standard seconds
BUSINESS_TYPES = [
    ("P01", "个人开户", "Personal account opening", "Apertura de cuenta personal", "personal", 600),
    ("P02", "个人销户", "Personal account closing", "Cierre de cuenta personal", "personal", 420),
    ("P03", "活期存款", "Demand deposit", "Depósito a la vista", "personal", 150),
    ("P04", "定期存款", "Time deposit", "Depósito a plazo", "personal", 240),
    ("P05", "定期支取", "Time deposit withdrawal", "Retiro de depósito a plazo", "personal", 270),
    ("P06", "取款", "Cash withdrawal", "Retiro de efectivo", "personal", 150),
    ("P07", "转账汇款", "Transfer", "Transferencia", "personal", 240),
    ("P08", "跨行汇款", "Interbank remittance", "Remesa interbancaria", "personal", 300),
    ("P09", "境外汇款", "Outward international remittance", "Remesa al exterior", "personal", 720),
    ("P10", "挂失", "Report of loss", "Denuncia de pérdida", "personal", 300),
    ("P11", "解挂", "Cancelling a loss report", "Anulación de denuncia de pérdida", "personal", 240),
    ("P12", "密码重置", "Password reset", "Restablecimiento de clave", "personal", 300),
    ("P13", "换卡", "Card replacement", "Reposición de tarjeta", "personal", 360),
    ("P14", "补卡", "Card reissue after loss", "Reemisión de tarjeta", "personal", 420),
    ("P15", "外币兑换", "Foreign currency exchange", "Cambio de divisas", "personal", 300),
    ("P16", "结售汇", "Foreign exchange purchase and sale", "Compraventa de divisas", "personal", 420),
    ("P17", "理财购买", "Wealth product purchase", "Compra de producto de inversión", "personal", 540),
    ("P18", "理财赎回", "Wealth product redemption", "Rescate de producto de inversión", "personal", 300),
    ("P19", "基金业务", "Fund business", "Operaciones de fondos", "personal", 480),
    ("P20", "保险代理", "Insurance agency", "Agencia de seguros", "personal", 600),
    ("P21", "贵金属", "Precious metals", "Metales preciosos", "personal", 420),
    ("P22", "国债购买", "Government bond purchase", "Compra de bonos del Estado", "personal", 360),
    ("P23", "缴费", "Bill payment", "Pago de recibos", "personal", 180),
    ("P24", "社保卡", "Social security card", "Tarjeta de seguridad social", "personal", 420),
    ("P25", "个贷还款", "Personal loan repayment", "Pago de préstamo personal", "personal", 240),
    ("P26", "个贷发放", "Personal loan disbursement", "Desembolso de préstamo personal", "personal", 600),
    ("P27", "存款证明", "Deposit certificate", "Certificado de depósito", "personal", 360),
    ("P28", "流水打印", "Statement printing", "Impresión de extracto", "personal", 180),
    ("P29", "手机银行开通", "Mobile banking sign-up", "Alta en banca móvil", "personal", 360),
    ("P30", "网银开通", "Online banking sign-up", "Alta en banca en línea", "personal", 420),
    ("P31", "信息变更", "Customer details change", "Cambio de datos del cliente", "personal", 300),
    ("P32", "零钞兑换", "Small change exchange", "Cambio de billetes pequeños", "personal", 180),
    ("P33", "残损币兑换", "Damaged banknote exchange", "Canje de billetes dañados", "personal", 300),
    ("P34", "信用卡业务", "Credit card service", "Servicio de tarjeta de crédito", "personal", 420),
    ("P35", "代收代付", "Collection and payment agency", "Cobros y pagos por cuenta", "personal", 240),
    ("C01", "对公开户", "Corporate account opening", "Apertura de cuenta de empresa", "corporate", 1800),
    ("C02", "对公销户", "Corporate account closing", "Cierre de cuenta de empresa", "corporate", 1200),
    ("C03", "对公存款", "Corporate deposit", "Depósito de empresa", "corporate", 360),
    ("C04", "对公取款", "Corporate withdrawal", "Retiro de empresa", "corporate", 360),
    ("C05", "对公转账", "Corporate transfer", "Transferencia de empresa", "corporate", 420),
    ("C06", "代发工资", "Payroll", "Pago de nóminas", "corporate", 900),
    ("C07", "票据业务", "Bills and notes", "Efectos comerciales", "corporate", 720),
    ("C08", "支票业务", "Cheques", "Cheques", "corporate", 480),
    ("C09", "汇票承兑", "Bill acceptance", "Aceptación de letras", "corporate", 900),
    ("C10", "单位结算卡", "Corporate settlement card", "Tarjeta de liquidación de empresa", "corporate", 600),
    ("C11", "回单打印", "Receipt printing", "Impresión de comprobantes", "corporate", 180),
    ("C12", "对账单", "Account reconciliation", "Conciliación de cuentas", "corporate", 300),
    ("C13", "印鉴变更", "Seal change", "Cambio de sello", "corporate", 900),
    ("C14", "对公信息变更", "Corporate details change", "Cambio de datos de empresa", "corporate", 720),
    ("C15", "企业网银", "Corporate online banking", "Banca en línea de empresa", "corporate", 720),
    ("C16", "对公结售汇", "Corporate foreign exchange", "Divisas de empresa", "corporate", 720),
    ("C17", "国际结算", "International settlement", "Liquidación internacional", "corporate", 1200),
    ("C18", "保证金业务", "Margin deposits", "Depósitos de garantía", "corporate", 600),
    ("C19", "税费缴纳", "Tax payment", "Pago de impuestos", "corporate", 360),
    ("V01", "贵宾理财签约", "VIP wealth agreement", "Contrato de inversión VIP", "vip", 900),
    ("V02", "贵宾大额存取", "VIP large cash transaction", "Operación de efectivo VIP de gran importe", "vip", 480),
    ("V03", "贵宾资产配置", "VIP asset allocation", "Asignación de activos VIP", "vip", 1200),
    ("V04", "贵宾综合业务", "VIP combined service", "Servicio combinado VIP", "vip", 600),
]


def seed(apps, schema_editor):
    BusinessType = apps.get_model("counters", "BusinessType")
    for code, zh, en, es, segment, seconds in BUSINESS_TYPES:
        BusinessType.objects.update_or_create(
            code=code,
            defaults={
                "name": zh,
                "name_en": en,
                "name_es": es,
                "segment": segment,
                "standard_seconds": seconds,
            },
        )


def unseed(apps, schema_editor):
    BusinessType = apps.get_model("counters", "BusinessType")
    BusinessType.objects.filter(code__in=[row[0] for row in BUSINESS_TYPES]).delete()


class Migration(migrations.Migration):
    dependencies = [("counters", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
