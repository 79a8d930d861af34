"""The coverage of a portfolio plan (分工不空挡、不交叉、不重叠): pure functions over loaded rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .models import PortfolioAssignment, TermMember, WorkArea


@dataclass
class AreaCoverage:
    area: WorkArea
    leads: list[TermMember] = field(default_factory=list)
    assisting: list[TermMember] = field(default_factory=list)

    @property
    def is_gap(self) -> bool:
        return self.area.active and not self.leads

    @property
    def is_overlap(self) -> bool:
        return len(self.leads) > 1


@dataclass
class Coverage:
    areas: list[AreaCoverage]
    members: list[TermMember]
    # (member pk, area pk) -> assignment kind
    cells: dict[tuple[int, int], str]
    # leads who cannot lead on the date checked: left the term, or no longer standing members
    unavailable_leads: list[tuple[AreaCoverage, TermMember, str]] = field(default_factory=list)

    @property
    def gaps(self) -> list[AreaCoverage]:
        return [a for a in self.areas if a.is_gap]

    @property
    def overlaps(self) -> list[AreaCoverage]:
        return [a for a in self.areas if a.is_overlap]

    @property
    def complete(self) -> bool:
        return not self.gaps and not self.overlaps and not self.unavailable_leads

    def members_without_areas(self) -> list[TermMember]:
        busy = {member_pk for member_pk, _area in self.cells}
        return [m for m in self.members if m.pk not in busy]

    def problems(self) -> list[str]:
        """Every gap, overlap and unavailable lead, in Chinese, each naming the area and the people."""
        lines = []
        if self.gaps:
            lines.append("空挡（没有牵头常委）：" + "、".join(a.area.name for a in self.gaps))
        for a in self.overlaps:
            lines.append(f"重叠：{a.area.name}有{len(a.leads)}名牵头常委（{'、'.join(m.cadre.name for m in a.leads)}）")
        for a, member, why in self.unavailable_leads:
            lines.append(f"{a.area.name}的牵头常委{member.cadre.name}{why}")
        return lines


def coverage_of(
    *,
    areas: list[WorkArea],
    members: list[TermMember],
    assignments: list[PortfolioAssignment],
    on: date | None = None,
) -> Coverage:
    """Builds the matrix of `areas` × `members` from `assignments`. Areas no longer in use are shown only
    when someone still holds them. With `on`, leads who do not serve as standing members that day are named."""
    by_area = {area.pk: AreaCoverage(area=area) for area in areas}
    member_by_pk = {m.pk: m for m in members}
    cells = {}
    for assignment in assignments:
        coverage = by_area.get(assignment.area_id)
        member = member_by_pk.get(assignment.member_id) or assignment.member
        if coverage is None:
            coverage = by_area[assignment.area_id] = AreaCoverage(area=assignment.area)
        if member.pk not in member_by_pk:
            member_by_pk[member.pk] = member
            members = [*members, member]
        cells[(member.pk, assignment.area_id)] = assignment.kind
        target = coverage.leads if assignment.kind == PortfolioAssignment.Kind.LEAD else coverage.assisting
        target.append(member)
    shown = [c for c in by_area.values() if c.area.active or c.leads or c.assisting]
    shown.sort(key=lambda c: (c.area.order, c.area.pk))
    # the people of an area are named in the members' order, whatever order the rows came in
    position = {m.pk: i for i, m in enumerate(members)}
    for c in shown:
        c.leads.sort(key=lambda m: position[m.pk])
        c.assisting.sort(key=lambda m: position[m.pk])
    unavailable = []
    if on is not None:
        for c in shown:
            for member in c.leads:
                if member.joined_on > on:
                    unavailable.append((c, member, f"{member.joined_on:%Y-%m-%d}才到任"))
                elif not member.serves_on(on):
                    unavailable.append((c, member, f"已于{member.left_on:%Y-%m-%d}离任"))
                elif member.role not in TermMember.STANDING_ROLES:
                    unavailable.append((c, member, "已不是常委"))
    return Coverage(areas=shown, members=members, cells=cells, unavailable_leads=unavailable)
