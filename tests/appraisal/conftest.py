"""What the appraisal tests share: the 考核办 and 部领导 users, a unit with its cadres, and a stopped clock (a module
asks for it with `pytestmark = pytest.mark.usefixtures("frozen")`)."""

from __future__ import annotations

import pytest
import time_machine

from orgdept.core import roles
from tests.appraisal.factories import TODAY
from tests.cadres.factories import make_unit


@pytest.fixture
def today():
    return TODAY


@pytest.fixture
def frozen(today):
    with time_machine.travel(today, tick=False):
        yield


@pytest.fixture
def office(make_user):
    return make_user(roles.APPRAISAL_OFFICE, username="kaohe")


@pytest.fixture
def leader(make_user):
    return make_user(roles.DEPARTMENT_LEADER, username="buld")


@pytest.fixture
def unit(db):
    return make_unit("区发改局", order=1)
