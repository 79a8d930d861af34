"""What the training tests share: the 培训科 and 部领导 users, the unit their cadres work in, and a stopped clock
(a module asks for it with `pytestmark = pytest.mark.usefixtures("frozen")` and may override `today`)."""

from __future__ import annotations

import pytest
import time_machine

from orgdept.core import roles
from tests.cadres.factories import make_unit
from tests.training.factories import TODAY


@pytest.fixture
def today():
    return TODAY


@pytest.fixture
def frozen(today):
    with time_machine.travel(today, tick=False):
        yield


@pytest.fixture
def people(make_user) -> dict:
    """培训科 staff and the 部领导 leader, both made so that a page or reminder for either finds them; a module that
    needs more roles overrides this and adds them."""
    return {
        "staff": make_user(roles.TRAINING_SECTION, username="peixun"),
        "leader": make_user(roles.DEPARTMENT_LEADER, username="buld"),
    }


@pytest.fixture
def staff(people):
    return people["staff"]


@pytest.fixture
def leader(people):
    return people["leader"]


@pytest.fixture
def unit(db):
    return make_unit("区发改局", order=1)
