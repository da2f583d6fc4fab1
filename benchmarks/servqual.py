"""Time the full SERVQUAL analysis (no plots) on a synthetic survey of 100,000 respondents.

Run: python benchmarks/servqual.py [n_respondents] [repeats]
Prints the time of each step and of the whole analysis (best of ``repeats``); the target is
under 2 s for 100,000 respondents x 22 items (2.2 million answers). Nothing is asserted.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np
import pandas as pd

from crmlib import servqual as sq
from crmlib.instruments import load_instrument


def survey(n: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A seeded survey in the canonical long form, 2 % of answers blank."""
    rng = np.random.default_rng(seed)
    items = [f"SQ{i:02d}" for i in range(1, 23)]
    dims = np.repeat(np.arange(5), [4, 5, 4, 4, 5])
    e = np.clip(np.round(6 + rng.normal(0, 0.7, (n, 22))), 1, 7)
    p = np.clip(np.round(e - 0.6 + rng.normal(0, 0.7, (n, 5))[:, dims]
                         + rng.normal(0, 0.6, (n, 22))), 1, 7)
    p[rng.random((n, 22)) < 0.02] = np.nan
    ids = np.char.add("R", np.arange(n).astype(str)).astype(object)
    responses = pd.DataFrame({"respondent_id": np.repeat(ids, 22),
                              "item_id": np.tile(np.array(items, dtype=object), n),
                              "expectation": e.ravel(), "perception": p.ravel()})
    points = rng.dirichlet([2, 5, 3, 3, 2], n) * 100
    respondents = pd.DataFrame({"respondent_id": ids,
                                "segment": rng.choice(["a", "b", "c"], n),
                                "overall_rating": rng.integers(1, 8, n).astype(float),
                                **{f"importance_{d}": points[:, j]
                                   for j, d in enumerate(sq.DIMENSIONS)}})
    return responses, respondents


def analysis(responses, respondents) -> dict:
    """Every table notebook 06 shows, timed step by step."""
    times = {}

    def step(name, fn, *args, **kw):
        wall, cpu = time.perf_counter(), time.process_time()
        out = fn(*args, **kw)
        times[name] = (time.perf_counter() - wall, time.process_time() - cpu)
        return out

    inst = step("load_instrument", load_instrument, "servqual-1991")
    gaps = step("gap_table", sq.gap_table, responses, instrument=inst)
    step("sample_table", sq.sample_table, gaps, respondents)
    step("item_gaps", sq.item_gaps, gaps)
    step("dimension_gaps", sq.dimension_gaps, gaps)
    scores = step("servqual_scores", sq.servqual_scores, gaps, respondents)
    step("reliability_table", sq.reliability_table, gaps)
    step("item_reliability_table", sq.item_reliability_table, gaps)
    tests = step("paired_tests(dimension)", sq.paired_tests, gaps)
    step("paired_tests(item)", sq.paired_tests, gaps, level="item")
    reg = step("importance_regression", sq.importance_regression, gaps, respondents)
    step("segment_comparison", sq.segment_comparison, gaps, respondents)
    ipa = step("ipa_table", sq.ipa_table, scores)
    step("reading", sq.reading, scores, tests, ipa=ipa, regression=reg, instrument=inst,
         language="en")
    return times


def main(n: int = 100_000, repeats: int = 3) -> None:
    import statsmodels.api  # noqa: F401  (imported once per session; not part of the analysis)

    responses, respondents = survey(n)
    print(f"SERVQUAL analysis, {n:,} respondents x 22 items = {len(responses):,} answers")
    once = []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        tables = sq.servqual_analysis(responses, respondents,
                                      instrument=load_instrument("servqual-1991"))
        once.append((time.perf_counter() - wall, time.process_time() - cpu))
    wall, cpu = min(once)
    print(f"  servqual_analysis (all {len(tables)} tables, one pivot), best of {repeats}: "
          f"{wall:.3f}s wall, {cpu:.3f}s cpu   (target < 2 s)")
    print("  the same tables step by step (one call per table, as notebook 06 does):")
    best = None
    for _ in range(repeats):
        times = analysis(responses, respondents)
        if best is None or sum(w for w, _ in times.values()) < sum(w for w, _ in best.values()):
            best = times
    print(f"  {'step':<26} {'wall':>8} {'cpu':>8}")
    for name, (wall, cpu) in best.items():
        print(f"  {name:<26} {wall:7.3f}s {cpu:7.3f}s")
    wall = sum(w for w, _ in best.values())
    cpu = sum(c for _, c in best.values())
    label = f"total (best of {repeats})"
    print(f"  {label:<26} {wall:7.3f}s {cpu:7.3f}s   (target < 2 s)")
    if hasattr(os, "getloadavg"):
        print(f"  load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
              "(wall time grows with it; cpu time much less)")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*args)
