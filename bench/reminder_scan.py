"""The nightly reminder scan against one hand-written SQL aggregate of the training shortfalls alone.

Ours is what the morning beat runs, with the same functions: the appointment procedure's reminders
(cadres.reminders: notices ending, objections open, probations ending, recommendations expiring, proposals
stalled), the training reminders (training.reminders: class start notices, every short cadre's weekly reminder,
培训科's summary per unit, plans awaiting approval), the meeting cadence check, and the delivery of every reminder
that falls due into the recipients' inboxes (core.notifications.reminders_deliver_due, run until none is left).

Each round runs in a transaction that is rolled back at its end, so every round schedules and delivers the whole
night's reminders afresh: the scan's own rule that a reminder is sent once would otherwise make the later rounds
trivially cheap. The peer is the limit: one SQL statement that computes the shortfalls of every cadre with a rank
as they stand on 31 December, with the same requirement rules, and fetches them.
"""

from __future__ import annotations

from datetime import date

from .generate import TODAY
from .harness import Figure, alternate, median, timed

# a Thursday in the fourth quarter: the shortfall reminders are on (from 1 October)
SCAN_DAY = TODAY


class _Rollback(Exception):
    pass


def scan_ours(today: date = SCAN_DAY) -> dict[str, int]:
    """The night's scan as the beat runs it, rolled back at the end; returns what it scheduled and delivered."""
    from django.db import transaction
    from django.utils import timezone

    from cadres.reminders import proposal_reminders_schedule
    from meetings.reminders import cadence_reminders_schedule
    from orgdept.core.notifications import reminders_deliver_due
    from training.reminders import training_reminders_schedule

    counts: dict[str, int] = {}
    try:
        with transaction.atomic():
            counts["proposals"] = proposal_reminders_schedule(today=today)
            counts["training"] = training_reminders_schedule(today=today)
            counts["cadence"] = cadence_reminders_schedule(on=today)
            now = timezone.now()
            delivered = 0
            while True:
                batch = reminders_deliver_due(now=now)
                delivered += batch
                if not batch:
                    break
            counts["delivered"] = delivered
            raise _Rollback
    except _Rollback:
        pass
    return counts


def shortfall_sql(on: date) -> tuple[str, list]:
    """The limit: each cadre with a rank whose hours in their rule's window up to `on` fall short, in one statement."""
    from cadres.models import COUNTY_LEVEL_RANKS
    from training.requirements import COUNTY, SECTION, rules

    configured = rules()
    county, section = configured[COUNTY], configured[SECTION]
    sql = """
        SELECT c.id, c.unit_id, r.required - COALESCE(SUM(e.hours), 0) AS shortfall
        FROM cadres_cadre c
        CROSS JOIN LATERAL (
            SELECT CASE WHEN c.rank = ANY(%s) THEN %s ELSE %s END AS required,
                   CASE WHEN c.rank = ANY(%s) THEN %s::date ELSE %s::date END AS since
        ) r
        LEFT JOIN training_creditentry e ON e.cadre_id = c.id AND e.earned_on >= r.since AND e.earned_on <= %s
        WHERE c.rank <> ''
        GROUP BY c.id, c.unit_id, r.required
        HAVING COALESCE(SUM(e.hours), 0) < r.required
    """
    ranks = [str(rank) for rank in COUNTY_LEVEL_RANKS]
    params = [
        ranks,
        county.hours,
        section.hours,
        ranks,
        county.counted_from(on),
        section.counted_from(on),
        on,
    ]
    return sql, params


def scan_peer(on: date) -> int:
    from django.db import connection

    sql, params = shortfall_sql(on)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return len(cursor.fetchall())


def run(scale) -> list[Figure]:
    year_end = date(SCAN_DAY.year, 12, 31)
    # one unmeasured pass of each: connections, caches and the planner's statistics warm for both alike
    first = scan_ours()
    short = scan_peer(year_end)
    ours, peer = alternate(lambda: timed(scan_ours), lambda: timed(lambda: scan_peer(year_end)), rounds=scale.rounds)
    notes = (
        f"scan of {SCAN_DAY.isoformat()}: {first['proposals']:,} procedure and {first['training']:,} training "
        f"reminders scheduled, {first['cadence']:,} cadence warnings, {first['delivered']:,} delivered to inboxes; "
        f"the peer finds {short:,} cadres short on {year_end.isoformat()}. Each round of ours is rolled back, so "
        "every round schedules and delivers the whole night afresh."
    )
    return [
        Figure(
            name="nightly reminder scan",
            ours=median(ours),
            peer=median(peer),
            unit="s",
            goal=3.0,
            higher_is_better=False,
            peer_name="one SQL aggregate of the training shortfalls",
            notes=notes,
            samples={"ours": ours, "peer": peer},
        )
    ]
