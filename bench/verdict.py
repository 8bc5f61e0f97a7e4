"""What `make bench` concludes: each target of issue #9 met or missed, with the measure that explains a miss.

Besides the load figures, the bench reads the CPU time the gunicorn workers spent during each endpoint's run
(``/proc/<pid>/stat``: user + system time of every worker process). Divided by the requests served it gives
the server's CPU milliseconds per request; on a machine with ``cpus`` cores no server can answer more than
``cpus * 1000 / cpu_ms`` requests a second, whatever the database does. That ceiling is what separates a
slow query (fixable by an index) from the cost of the framework's work per request (fixable only by doing
less of it per request), and it is printed next to every missed target.
"""

from __future__ import annotations

import os
from typing import Any

TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of the processes so far (processes that are gone count as 0)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
    return total / TICKS


def cpu_per_request(row: dict[str, Any], cpu_s: float) -> None:
    """Record the workers' CPU per request on a result row, and the throughput ceiling it implies."""
    requests = row.get("requests") or 0
    row["cpu_ms"] = 1000 * cpu_s / requests if requests else None
    cpus = os.cpu_count() or 1
    row["cpu_ceiling_rps"] = cpus * 1000 / row["cpu_ms"] if row["cpu_ms"] else None


def verdicts(results: dict[str, Any], targets: dict[str, float]) -> list[dict[str, Any]]:
    """One line per target and measured endpoint: met or not, the figure, and for a miss what bounds it."""
    out: list[dict[str, Any]] = []
    for row in results.get("endpoints", []):
        if row["key"].startswith("baseline"):
            continue
        cpu = row.get("cpu_ms")
        bound = f"server CPU {cpu:.1f} ms/request, ceiling {row['cpu_ceiling_rps']:.0f} req/s" if cpu else ""
        if row.get("intake"):
            ok = row["rps"] >= targets["intake_per_s"] and row["errors"] == 0 and row["intake"]["all_stored"]
            figure = (
                f"{row['rps']:.1f} submissions/s, {row['intake']['stored']} of {row['intake']['answered_201']} stored"
            )
            out.append(_line(row["name"], f">= {targets['intake_per_s']:.0f}/s, all stored", figure, ok, bound))
            continue
        ratio = row.get("ratio")
        ok = row["p95"] <= targets["p95_ms"] and row["errors"] == 0 and (ratio or 0) >= targets["ratio"]
        figure = f"p95 {row['p95']:.0f} ms, {row['errors']} errors, {ratio or 0:.2f} of baseline"
        want = f"p95 <= {targets['p95_ms']:.0f} ms, 0 errors, >= {targets['ratio']} of baseline"
        out.append(_line(row["name"], want, figure, ok, bound))
    if "fanout" in results:
        f = results["fanout"]
        ok = bool(f.get("complete")) and f["total_s"] <= targets["fanout_s"]
        figure = f"{f['recipients']} in {f['total_s']:.1f} s, complete: {bool(f.get('complete'))}"
        out.append(_line("notification fan-out", f"<= {targets['fanout_s']:.0f} s, every one", figure, ok, ""))
    if "sweep" in results:
        s = results["sweep"]
        ok = s["seconds"] <= targets["sweep_s"]
        figure = f"{s['seconds']:.2f} s for {s['due']} due of {s['risks']} risks"
        out.append(_line("risk review sweep", f"<= {targets['sweep_s']:.0f} s", figure, ok, ""))
    return out


def _line(what: str, target: str, figure: str, ok: bool, bound: str) -> dict[str, Any]:
    return {"what": what, "target": target, "measured": figure, "met": ok, "bound": "" if ok else bound}


def render(lines: list[dict[str, Any]]) -> str:
    text = ["targets (issue #9; a miss is explained in docs/performance.md):"]
    for v in lines:
        mark = "met   " if v["met"] else "MISSED"
        extra = f"  [{v['bound']}]" if v["bound"] else ""
        text.append(f"  {mark} {v['what'][:34]:34} {v['measured']}  (target {v['target']}){extra}")
    return "\n".join(text)
