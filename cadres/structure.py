"""Team structure (班子结构) and time-in-post arithmetic: pure computations and server-side SVG charts.

Nothing here touches the database: the selectors aggregate, these functions shape and draw the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# --- dates and durations ----------------------------------------------------------------------------


def years_before(on: date, years: int) -> date:
    """The same day `years` earlier, or later for a negative number (29 February becomes the 28th in a common year)."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return on.replace(year=on.year - years, day=28)


def months_between(start: date, end: date) -> int:
    """Whole months from `start` to `end` (negative when `end` is earlier); year-month dates count from the 1st."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if months > 0 and end.day < start.day:
        months -= 1
    return months


def add_months(start: date, months: int) -> date:
    """The first of the month `months` after the month of `start`."""
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def same_day_months_later(start: date, months: int) -> date:
    """The same day `months` later (2025-03-10 + 12 = 2026-03-10); the month's last day when it is shorter
    (2024-02-29 + 12 = 2025-02-28)."""
    first = add_months(start, months)
    following = add_months(first, 1)
    return first.replace(day=min(start.day, (following - first).days))


def format_months(months: int) -> str:
    """A duration as Chinese users write it: 10年3个月, 10年, 3个月."""
    if months < 1:
        return "不足1个月"
    years, rest = divmod(months, 12)
    if not years:
        return f"{rest}个月"
    return f"{years}年{rest}个月" if rest else f"{years}年"


# --- the numbers of a team ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AgeBand:
    label: str
    low: int | None  # youngest age in the band (None: no lower bound)
    high: int | None  # oldest age in the band (None: no upper bound)

    def born_range(self, on: date) -> tuple[date | None, date | None]:
        """(born after, born on or before): the birth dates of the people whose age on `on` is in the band."""
        after = years_before(on, self.high + 1) if self.high is not None else None
        on_or_before = years_before(on, self.low) if self.low is not None else None
        return after, on_or_before

    def contains(self, age: int) -> bool:
        return (self.low is None or age >= self.low) and (self.high is None or age <= self.high)


AGE_BANDS = (
    AgeBand("35岁及以下", None, 35),
    AgeBand("36—40岁", 36, 40),
    AgeBand("41—45岁", 41, 45),
    AgeBand("46—50岁", 46, 50),
    AgeBand("51—55岁", 51, 55),
    AgeBand("56岁及以上", 56, None),
)


def age_band_of(age: int) -> AgeBand:
    return next(band for band in AGE_BANDS if band.contains(age))


def percent(count: int, total: int) -> Decimal:
    """A share in percent with one decimal, rounded half up (0 of 0 is 0)."""
    if not total:
        return Decimal("0.0")
    return (Decimal(count) * 100 / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Share:
    label: str
    count: int
    total: int

    @property
    def percent(self) -> Decimal:
        return percent(self.count, self.total)

    def __str__(self) -> str:
        return f"{self.label} {self.count}人（{self.percent}%）"


@dataclass
class TeamStructure:
    """What the 班子结构 page and PDF show for one group of cadres on one date."""

    title: str  # e.g. 区财政局领导班子
    on_date: date
    total: int
    average_age: Decimal | None
    young_age: int
    age_bands: list[Share] = field(default_factory=list)
    gender: list[Share] = field(default_factory=list)
    ethnicity: list[Share] = field(default_factory=list)
    education: list[Share] = field(default_factory=list)
    political_status: list[Share] = field(default_factory=list)
    young: Share | None = None
    female: Share | None = None
    minority: Share | None = None

    @property
    def summary(self) -> str:
        """One sentence with the headline numbers, for captions and the PDF."""
        if not self.total:
            return f"{self.title}：暂无人员。"
        parts = [f"共{self.total}人", f"平均年龄{self.average_age}岁"]
        parts += [f"{s.label}{s.count}人（占{s.percent}%）" for s in (self.young, self.female, self.minority) if s]
        return f"{self.title}：" + "，".join(parts) + "。"


BLANK = "未填写"


def shares(pairs: list[tuple[str, int]], total: int, *, keep_zero: bool = True) -> list[Share]:
    return [Share(label, count, total) for label, count in pairs if keep_zero or count]


def team_structure_from_counts(counts: dict, *, title: str, on_date: date, young_age: int) -> TeamStructure:
    """Shapes the aggregate a selector computed into a TeamStructure.

    `counts` holds: total, female, young, minority, han, ethnicity_blank, average_age (or None),
    age_bands (counts in AGE_BANDS order), education and political_status ({value or "": count}) in
    their display order.
    """
    total = counts["total"]
    average = counts.get("average_age")
    average = Decimal(str(average)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if average is not None else None
    ethnicity = [("汉族", counts["han"]), ("少数民族", counts["minority"])]
    if counts.get("ethnicity_blank"):
        ethnicity.append((BLANK, counts["ethnicity_blank"]))
    gender = [("男", total - counts["female"] - counts.get("gender_blank", 0)), ("女", counts["female"])]
    if counts.get("gender_blank"):
        gender.append((BLANK, counts["gender_blank"]))

    def labelled(values: dict) -> list[tuple[str, int]]:
        pairs = [(value, n) for value, n in values.items() if value]
        if values.get(""):
            pairs.append((BLANK, values[""]))
        return pairs

    return TeamStructure(
        title=title,
        on_date=on_date,
        total=total,
        average_age=average if total else None,
        young_age=young_age,
        age_bands=[Share(band.label, n, total) for band, n in zip(AGE_BANDS, counts["age_bands"], strict=True)],
        gender=shares(gender, total),
        ethnicity=shares(ethnicity, total),
        education=shares(labelled(counts["education"]), total),
        political_status=shares(labelled(counts["political_status"]), total, keep_zero=False),
        young=Share(f"{young_age}岁以下", counts["young"], total),
        female=Share("女性", counts["female"], total),
        minority=Share("少数民族", counts["minority"], total),
    )


# --- server-side SVG charts ----------------------------------------------------------------------------

PALETTE = ("#b3121b", "#0b4f9c", "#1a7f37", "#9a6700", "#6f42c1", "#d4622a", "#1b7c83", "#8c8c8c", "#c2185b")
INK = "#1f2328"
MUTED = "#6a737d"
TRACK = "#eef0f3"


def _attrs(**values) -> str:
    return " ".join(f'{name.replace("_", "-")}="{escape(value)}"' for name, value in values.items() if value != "")


def _svg_open(chart_id: str, width: int, height: int, title: str, desc: str, font_family: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" {_attrs(id=chart_id, font_family=font_family)} '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>'
    )


def _describe(items: list[Share]) -> str:
    return "；".join(str(s) for s in items) if items else "暂无数据"


def hbar_chart(
    items: list[Share],
    *,
    title: str,
    chart_id: str,
    width: int = 520,
    label_width: int = 96,
    value_width: int = 110,
    bar_height: int = 20,
    gap: int = 8,
    color: str = PALETTE[0],
    font_family: str = "",
) -> SafeString:
    """Horizontal bars, one per item, scaled to the largest count; count and share printed after each bar."""
    rows = max(len(items), 1)
    height = rows * (bar_height + gap) + gap
    track = width - label_width - value_width
    largest = max((s.count for s in items), default=0)
    out = [_svg_open(chart_id, width, height, title, _describe(items), font_family)]
    if not items:
        out.append(f'<text x="{width // 2}" y="{height // 2 + 5}" text-anchor="middle" fill="{MUTED}">暂无数据</text>')
    for i, share in enumerate(items):
        y = gap + i * (bar_height + gap)
        length = round(track * share.count / largest, 1) if largest else 0
        middle = y + bar_height / 2 + 5
        out.append(f"<g><title>{escape(str(share))}</title>")
        out.append(
            f'<text x="{label_width - 8}" y="{middle}" text-anchor="end" font-size="13" fill="{INK}">'
            f"{escape(share.label)}</text>"
        )
        out.append(f'<rect x="{label_width}" y="{y}" width="{track}" height="{bar_height}" fill="{TRACK}"/>')
        if length:
            out.append(f'<rect x="{label_width}" y="{y}" width="{length}" height="{bar_height}" fill="{color}"/>')
        out.append(
            f'<text x="{label_width + track + 8}" y="{middle}" font-size="13" fill="{INK}">'
            f'{share.count}人 <tspan fill="{MUTED}">{share.percent}%</tspan></text>'
        )
        out.append("</g>")
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308  (every text above is escaped)


def stacked_bar(
    items: list[Share],
    *,
    title: str,
    chart_id: str,
    width: int = 520,
    bar_height: int = 26,
    font_family: str = "",
) -> SafeString:
    """One bar split in proportion to the counts, with a legend below (count and share of each part)."""
    total = sum(s.count for s in items)
    legend_rows = (len(items) + 2) // 3 or 1
    height = bar_height + 12 + legend_rows * 22
    out = [_svg_open(chart_id, width, height, title, _describe(items), font_family)]
    if not total:
        out.append(f'<rect x="0" y="0" width="{width}" height="{bar_height}" fill="{TRACK}"/>')
        out.append(
            f'<text x="{width // 2}" y="{bar_height // 2 + 5}" text-anchor="middle" fill="{MUTED}">暂无数据</text>'
        )
    x = 0.0
    for i, share in enumerate(items):
        color = PALETTE[i % len(PALETTE)]
        if total and share.count:
            length = width * share.count / total
            out.append(
                f'<g><title>{escape(str(share))}</title><rect x="{round(x, 1)}" y="0" width="{round(length, 1)}" '
                f'height="{bar_height}" fill="{color}"/></g>'
            )
            if length > 44:
                out.append(
                    f'<text x="{round(x + length / 2, 1)}" y="{bar_height / 2 + 5}" text-anchor="middle" '
                    f'font-size="12" fill="#fff">{share.percent}%</text>'
                )
            x += length
        column, row = i % 3, i // 3
        lx, ly = column * (width // 3), bar_height + 12 + row * 22
        out.append(f'<rect x="{lx}" y="{ly}" width="12" height="12" fill="{color}"/>')
        out.append(
            f'<text x="{lx + 18}" y="{ly + 11}" font-size="13" fill="{INK}">{escape(share.label)} {share.count}人'
            f' <tspan fill="{MUTED}">{share.percent}%</tspan></text>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308  (every text above is escaped)


def team_structure_charts(structure: TeamStructure, *, prefix: str = "chart", font_family: str = "") -> dict:
    """The pictures of one TeamStructure, by name, ready to be put into a template."""
    common = {"font_family": font_family}
    return {
        "age": hbar_chart(structure.age_bands, title="年龄结构", chart_id=f"{prefix}-age", **common),
        "gender": stacked_bar(structure.gender, title="性别结构", chart_id=f"{prefix}-gender", **common),
        "ethnicity": stacked_bar(structure.ethnicity, title="民族结构", chart_id=f"{prefix}-ethnicity", **common),
        "education": hbar_chart(
            structure.education, title="学历结构", chart_id=f"{prefix}-education", color=PALETTE[1], **common
        ),
        "political_status": hbar_chart(
            structure.political_status,
            title="政治面貌",
            chart_id=f"{prefix}-political",
            color=PALETTE[2],
            **common,
        ),
    }
