"""Creates the role groups, seeds the holiday calendar from chinese-calendar, guards the audit table."""

from django.db import migrations

ROLES = ["系统管理员", "部领导", "干部科", "组织科", "培训科", "考核办", "常委", "委员"]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def seed_calendar(apps, schema_editor):
    from chinese_calendar import constants

    CalendarYear = apps.get_model("core", "CalendarYear")
    CalendarDay = apps.get_model("core", "CalendarDay")
    holiday_names = {
        "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
        "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
        "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
    }
    years = sorted({d.year for d in constants.holidays} | {d.year for d in constants.workdays})
    existing = set(CalendarYear.objects.values_list("year", flat=True))
    CalendarYear.objects.bulk_create(
        [CalendarYear(year=y, source="seeded", note="chinese-calendar") for y in years if y not in existing]
    )
    known = set(CalendarDay.objects.values_list("date", flat=True))
    rows = []
    for kind, table in (("holiday", constants.holidays), ("workday", constants.workdays)):
        for day, holiday in table.items():
            if day.year in existing or day in known:
                continue
            label = getattr(holiday, "value", holiday)
            name = holiday_names.get(label, label)
            rows.append(CalendarDay(date=day, kind=kind, name=name + ("调休上班" if kind == "workday" else "")))
    CalendarDay.objects.bulk_create(rows, batch_size=500)


GUARD_SQL = """
CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '审计日志只能追加，不能修改或删除';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditevent_append_only
    BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION core_auditevent_append_only();
"""
UNGUARD_SQL = """
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
DROP FUNCTION IF EXISTS core_auditevent_append_only();
"""


def guard_audit(apps, schema_editor):
    # PostgreSQL refuses UPDATE/DELETE of audit rows even from raw SQL; TRUNCATE (test flushes) is
    # left to database privileges.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARD_SQL)


def unguard_audit(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNGUARD_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(create_roles, migrations.RunPython.noop),
        migrations.RunPython(seed_calendar, migrations.RunPython.noop),
        migrations.RunPython(guard_audit, unguard_audit),
    ]
