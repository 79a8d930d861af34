"""The suite-end summary says "nothing lost" only when no test of a promise failed."""

from tests.platform import tally as module


def test_a_failed_promise_test_is_reported_not_hidden(monkeypatch):
    monkeypatch.setattr(module, "COUNTS", module.Counter({"fault": 3}))
    monkeypatch.setattr(module, "LOST", [])
    assert module.summary_lines([])[-1] == "nothing lost"
    failed = module.summary_lines(["tests/platform/test_faults.py::test_x", "tests/core/test_auth.py::test_y"])
    assert failed[-1] == "NOT PROVEN: 1 failed: tests/platform/test_faults.py::test_x"
    monkeypatch.setattr(module, "LOST", ["a vote"])
    assert "LOST: a vote" in module.summary_lines([])
