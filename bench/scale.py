"""The two sizes of benchmark data: the province the goals are about, and a smoke size CI runs in a minute."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    units: int
    cadres: int
    credit_rows: int
    appraisal_years: int
    meetings: int
    import_rows: int  # rows of the roster import spreadsheet
    approval_forms: int  # 任免审批表 in one batch PDF
    renders_long: int  # renders before the second memory reading
    rounds: int  # alternations of ours and the peer per figure
    list_page_far: int  # the far page of the cadre list
    http_seconds: float  # load time per measurement of the agenda page


PROVINCE = Scale(
    name="province",
    units=2_000,
    cadres=100_000,
    credit_rows=1_000_000,
    appraisal_years=5,
    meetings=2_000,
    import_rows=10_000,
    approval_forms=100,
    renders_long=200,
    rounds=5,
    list_page_far=1_000,
    http_seconds=10.0,
)

SMOKE = Scale(
    name="smoke",
    units=20,
    cadres=600,
    credit_rows=3_000,
    appraisal_years=2,
    meetings=10,
    import_rows=200,
    approval_forms=3,
    renders_long=6,
    rounds=1,
    list_page_far=20,
    http_seconds=1.0,
)

SCALES = {scale.name: scale for scale in (PROVINCE, SMOKE)}
