"""The UI shell's extension points: apps register navigation entries and home-page work queues."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .roles import has_role


@dataclass(frozen=True)
class NavItem:
    label: str  # translated lazily by the caller
    url_name: str
    roles: tuple[str, ...] = ()  # empty: every signed-in user
    order: int = 100
    perm: str = ""
    # for entries that follow what a user is rather than a role (a voter, an appraised cadre): shown when this says so
    visible_when: Callable[[object], bool] | None = None

    def visible_to(self, user) -> bool:
        if self.perm and not user.has_perm(self.perm):
            return False
        if self.visible_when is not None:
            return self.visible_when(user)
        return not self.roles or user.is_superuser or has_role(user, *self.roles)


@dataclass
class QueueItem:
    label: str
    url: str = ""
    detail: str = ""
    due: object = None
    level: str = ""  # "", "warning", "danger"


@dataclass
class QueueSection:
    title: str
    items: list[QueueItem] = field(default_factory=list)
    empty_text: str = "暂无待办事项"
    more_url: str = ""
    order: int = 100


_nav: list[NavItem] = []
_queues: list[Callable[[object], list[QueueSection]]] = []


def register_nav(item: NavItem) -> None:
    if item not in _nav:
        _nav.append(item)


def register_work_queue(provider: Callable[[object], list[QueueSection]]) -> None:
    if provider not in _queues:
        _queues.append(provider)


def nav_for(user) -> list[NavItem]:
    return sorted((i for i in _nav if i.visible_to(user)), key=lambda i: i.order)


def work_queue_for(user) -> list[QueueSection]:
    sections: list[QueueSection] = []
    for provider in _queues:
        sections.extend(provider(user))
    return sorted(sections, key=lambda s: s.order)
