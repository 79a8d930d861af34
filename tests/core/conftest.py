"""Fixtures shared by the kernel's notification and reminder tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def alice(make_user):
    """A user with an e-mail address (notifications to her are also e-mailed)."""
    return make_user(username="alice", email="alice@example.org")


@pytest.fixture
def bob(make_user):
    """A user without an e-mail address."""
    return make_user(username="bob", email="")
