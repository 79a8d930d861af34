"""Seeds the catalogue of work areas with the areas a district committee usually divides among its standing members."""

from django.db import migrations

AREAS = [
    ("纪检监察", "党风廉政建设、纪律检查和监察工作"),
    ("组织", "组织建设、干部、人才、党员教育管理"),
    ("宣传", "宣传思想、意识形态、精神文明建设"),
    ("统战", "统一战线、民族宗教、工商联、对台侨务"),
    ("政法", "政法、平安建设、社会治安综合治理"),
    ("武装", "人民武装、国防动员、双拥"),
    ("经济", "经济运行、发展改革、财政金融"),
    ("工业和信息化", "工业、园区、招商引资、信息化"),
    ("农业农村", "农业农村、乡村振兴、水利"),
    ("城建", "城乡规划建设、交通、住房"),
    ("生态环境", "生态环境保护、自然资源"),
    ("教育", "教育、科技"),
    ("文化", "文化、旅游、体育"),
    ("卫生", "卫生健康、医疗保障"),
    ("民政和社会保障", "民政、人力资源和社会保障、退役军人事务"),
    ("群团", "工会、共青团、妇联、科协等群团组织"),
    ("信访", "信访、社会稳定"),
    ("党校", "党校、党史研究"),
    ("机构编制", "机构编制"),
    ("人大政协联系", "联系区人大、区政协工作"),
]


def seed(apps, schema_editor):
    WorkArea = apps.get_model("committees", "WorkArea")
    for order, (name, description) in enumerate(AREAS, start=1):
        WorkArea.objects.get_or_create(name=name, defaults={"description": description, "order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("committees", "0002_portfolios")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
