"""The benchmark data generator: the same seed makes the same rows, and the product works on what it makes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bench.scale import SMOKE

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

TINY = replace(SMOKE, name="tiny", units=8, cadres=120, credit_rows=600, appraisal_years=1, meetings=4)

# every table the generator fills, with the columns that must come out the same (the staff users' password
# hashes are salted, so auth_user is compared without them)
FINGERPRINTED = {
    "cadres_unit": "*",
    "cadres_position": "*",
    "cadres_positionquota": "*",
    "cadres_cadre": "*",
    "cadres_education": "*",
    "cadres_resumeline": "*",
    "cadres_familymember": "*",
    "cadres_positiontenure": "*",
    "cadres_appointmentproposal": "*",
    "training_trainingclass": "*",
    "training_enrolment": "*",
    "training_creditentry": "*",
    "appraisal_appraisalresult": "*",
    "committees_termmember": "*",
    "meetings_meeting": "*",
    "meetings_vote": "*",
    "auth_user": "id, username, first_name, last_name, email, is_active, date_joined",
}


def _fingerprint() -> dict[str, tuple[int, str]]:
    from django.db import connection

    out = {}
    with connection.cursor() as cursor:
        for table, columns in FINGERPRINTED.items():
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "  # noqa: S608
                f"FROM (SELECT {columns} FROM {table}) t"
            )
            out[table] = cursor.fetchone()
    return out


def test_the_same_seed_generates_the_same_rows():
    from bench.generate import generate, wipe

    wipe()
    summary = generate(TINY)
    first = _fingerprint()
    wipe()
    assert generate(TINY) == summary
    assert _fingerprint() == first
    assert first["cadres_cadre"][0] == TINY.cadres
    assert first["training_creditentry"][0] == TINY.credit_rows
    wipe()
    generate(TINY, seed=7)
    assert _fingerprint()["cadres_cadre"] != first["cadres_cadre"]


def test_a_generated_cadre_file_is_valid_and_the_shortfall_selector_agrees_with_the_peer():
    from datetime import date

    from django.db import connection

    from bench.generate import TODAY, generate, wipe
    from bench.reminder_scan import shortfall_sql
    from cadres.models import AppointmentProposal, Cadre
    from cadres.selectors import cadre_file
    from cadres.services.records import name_initials
    from training.models import CreditEntry
    from training.selectors import shortfalls_in_windows, unit_shortfalls

    wipe()
    generate(TINY)
    for cadre in Cadre.objects.order_by("pk")[:20]:
        cadre.full_clean()
        assert cadre.name_initials == name_initials(cadre.name)
        record = cadre_file(pk=cadre.pk)
        assert record.educations.all() and record.resume_lines.all() and record.family_members.all()
    for proposal in AppointmentProposal.objects.order_by("pk")[:20]:
        proposal.full_clean()
    for entry in CreditEntry.objects.order_by("pk")[:50]:
        entry.full_clean()

    year_end = date(TODAY.year, 12, 31)
    lines = unit_shortfalls(on=year_end)
    counted = sum(line.counted for line in lines)
    short = sum(line.short for line in lines)
    assert 0 < short < counted  # some short, not all
    sql, params = shortfall_sql(year_end)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        peer = {row[0]: row[2] for row in cursor.fetchall()}
    ours = {entry.cadre.pk: entry.status.shortfall for line in lines for entry in line.cadres_short}
    assert ours == peer
    # the morning scan's own aggregate says the same, with each unit's count of cadres
    scan, counted = shortfalls_in_windows(year_end)
    assert {row[0]: row[7] for row in scan} == ours
    assert counted == {line.unit.pk: line.counted for line in lines if line.counted}
