"""What every benchmark shares: timing ours against a peer in the same run, medians, peak memory, the table.

A figure is always a ratio of two measurements taken alternately in one run (ours, peer, ours, peer, ...), so
the machine's noise falls on both alike. Peak memory is read from the operating system: a child process
reports its own `getrusage` peak, so ours and the peer each run in a fresh interpreter.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"


@dataclass
class Figure:
    """One line of the table: what was measured for us and for the peer, and the goal on their ratio.

    `higher_is_better` says which way the goal points: rows/s and requests/s are better higher, seconds and
    bytes lower. `goal` is the bound on ours/peer: at least `goal` when higher is better, else at most.
    """

    name: str
    ours: float
    peer: float
    unit: str
    goal: float
    higher_is_better: bool
    peer_name: str
    notes: str = ""
    samples: dict[str, list[float]] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        return self.ours / self.peer if self.peer else float("inf")

    @property
    def met(self) -> bool:
        return self.ratio >= self.goal if self.higher_is_better else self.ratio <= self.goal

    def goal_text(self) -> str:
        return f"{'≥' if self.higher_is_better else '≤'} {self.goal:g}×"


def median(values: list[float]) -> float:
    return statistics.median(values)


def alternate(ours: Callable[[], float], peer: Callable[[], float], *, rounds: int) -> tuple[list[float], list[float]]:
    """Run ours and the peer alternately `rounds` times each; each callable returns its own measurement."""
    ours_values, peer_values = [], []
    for index in range(rounds):
        # Swap who goes first each round so neither always runs on a warmer (or colder) machine.
        pair = (ours, peer) if index % 2 == 0 else (peer, ours)
        results = [fn() for fn in pair]
        ours_values.append(results[0] if index % 2 == 0 else results[1])
        peer_values.append(results[1] if index % 2 == 0 else results[0])
    return ours_values, peer_values


def timed(fn: Callable[[], object]) -> float:
    """Wall seconds of one call."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


@dataclass
class ChildResult:
    seconds: float
    peak_rss_bytes: int
    output: dict


def run_child(module: str, *args: str, env: dict[str, str] | None = None, timeout: float = 3600) -> ChildResult:
    """Run `python -m <module> <args>` and return its wall time, its peak resident memory and the JSON it prints last.

    The child prints one JSON object on its last line of standard output (`child_report`: its own
    measurements, e.g. rows written, and its peak memory from the kernel's accounting of that process).
    """
    command = [sys.executable, "-m", module, *args]
    child_env = {**os.environ, **(env or {})}
    start = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603  (our own interpreter running one of our modules)
        command, cwd=PROJECT_DIR, env=child_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{stderr.decode(errors='replace')}")
    lines = [line for line in stdout.decode().splitlines() if line.strip()]
    output = json.loads(lines[-1]) if lines else {}
    return ChildResult(seconds=seconds, peak_rss_bytes=int(output.get("peak_rss_bytes", 0)), output=output)


def own_peak_rss_bytes() -> int:
    """This process's peak resident set size so far, from the kernel (Linux reports kilobytes)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def current_rss_bytes() -> int:
    """This process's resident set size now, from /proc."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


def child_report(**values) -> None:
    """What a child measured, printed as the JSON line `run_child` reads; always includes its peak memory."""
    values.setdefault("peak_rss_bytes", own_peak_rss_bytes())
    sys.stdout.write(json.dumps(values) + "\n")
    sys.stdout.flush()


def _format(value: float, unit: str) -> str:
    if unit == "bytes":
        return f"{value / 1024 / 1024:.1f} MB"
    if unit == "s":
        return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"
    if value >= 100:
        return f"{value:,.0f} {unit}"
    return f"{value:.3g} {unit}"


def table(figures: list[Figure], *, title: str, context: list[str]) -> str:
    """The Markdown table `make bench` writes: figure, ours, peer, ratio, goal, met."""
    lines = [f"# {title}", ""]
    lines += [f"- {line}" for line in context]
    lines += ["", "| figure | ours | peer | ratio | goal | met |", "|---|---|---|---|---|---|"]
    for figure in figures:
        lines.append(
            f"| {figure.name} | {_format(figure.ours, figure.unit)} | {_format(figure.peer, figure.unit)} "
            f"({figure.peer_name}) | {figure.ratio:.3g}× | {figure.goal_text()} | {'yes' if figure.met else '**no**'} |"
        )
    notes = [f"- **{figure.name}**: {figure.notes}" for figure in figures if figure.notes]
    if notes:
        lines += ["", "Notes:", "", *notes]
    return "\n".join(lines) + "\n"
