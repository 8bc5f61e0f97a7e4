"""`make bench`'s conclusions: every target met or missed, a miss shown with the CPU ceiling that bounds it."""

from __future__ import annotations

import os

from bench import verdict
from bench.run import TARGETS


def _row(key: str, rps: float, p95: float, ratio: float | None = None, **extra):
    return {"name": key, "key": key, "rps": rps, "p95": p95, "errors": 0, "ratio": ratio, "requests": 1000, **extra}


def test_each_target_is_judged_and_a_miss_names_its_cpu_ceiling():
    slow = _row("projects-api", 60.0, 250.0, 0.3)
    verdict.cpu_per_request(slow, cpu_s=20.0)  # 20 ms of worker CPU for each of 1,000 requests
    results = {
        "endpoints": [
            _row("baseline-projects", 200.0, 20.0),
            _row("risks-api", 150.0, 80.0, 0.75),
            slow,
            _row("intake-api", 250.0, 90.0, intake={"answered_201": 5, "stored": 5, "all_stored": True}),
        ],
        "fanout": {"recipients": 10_000, "total_s": 12.5, "complete": True},
        "sweep": {"risks": 100_000, "due": 990, "seconds": 1.4},
    }
    lines = {v["what"]: v for v in verdict.verdicts(results, TARGETS)}
    assert "baseline-projects" not in lines
    assert lines["risks-api"]["met"] and lines["intake-api"]["met"] and lines["notification fan-out"]["met"]
    assert not lines["projects-api"]["met"] and not lines["risk review sweep"]["met"]
    assert slow["cpu_ms"] == 20.0
    ceiling = (os.cpu_count() or 1) * 1000 / 20.0
    assert lines["projects-api"]["bound"] == f"server CPU 20.0 ms/request, ceiling {ceiling:.0f} req/s"
    text = verdict.render(list(lines.values()))
    assert "MISSED projects-api" in text and "met    risks-api" in text


def test_an_intake_that_loses_a_submission_misses_however_fast_it_was():
    row = _row("intake-api", 500.0, 10.0, intake={"answered_201": 5, "stored": 4, "all_stored": False})
    [line] = verdict.verdicts({"endpoints": [row]}, TARGETS)
    assert not line["met"] and "4 of 5 stored" in line["measured"]


def test_cpu_seconds_reads_this_process_and_ignores_vanished_ones():
    burnt = verdict.cpu_seconds([os.getpid()])
    sum(i * i for i in range(200_000))
    assert verdict.cpu_seconds([os.getpid()]) >= burnt
    assert verdict.cpu_seconds([2**22 + 12345]) == 0
