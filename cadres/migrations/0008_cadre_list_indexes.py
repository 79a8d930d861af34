"""Indexes the cadre list reads by: units in the list's order (so a page starts where it begins instead of after
sorting every cadre), and trigrams of names on PostgreSQL (substring search by three or more characters)."""

from django.db import migrations

UNIT_ORDER_INDEX = "cadres_unit_list_order_idx"
NAME_TRIGRAM_INDEX = "cadres_cadre_name_trgm_idx"


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {NAME_TRIGRAM_INDEX} ON cadres_cadre USING gin (name gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME_TRIGRAM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("cadres", "0007_procedure_rules")]

    operations = [
        # database-only: the order is (order, name) with id last, as the list pages it; SQLite reads it too
        migrations.RunSQL(
            f'CREATE INDEX IF NOT EXISTS {UNIT_ORDER_INDEX} ON cadres_unit ("order", name, id)',
            reverse_sql=f"DROP INDEX IF EXISTS {UNIT_ORDER_INDEX}",
        ),
        migrations.RunPython(create_trigram_index, drop_trigram_index),
    ]
