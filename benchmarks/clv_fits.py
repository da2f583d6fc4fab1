"""Benchmark: fitting time of the CLV family on the CDNOW sample and the three sample companies.

For each data set it fits, in this process, BG/NBD (the model notebook 02 values customers
with), Pareto/NBD (its peer on the same purchase summary) and Gamma-Gamma, and prints per
model the wall time, the number of likelihood evaluations, the seconds per evaluation and the
log-likelihood; then the Pareto/NBD time as a multiple of BG/NBD's. The two purchase models
describe the same data, so their log-likelihoods are comparable: the higher one fits better.

Usage::

    python benchmarks/clv_fits.py                      # CDNOW and the three samples
    python benchmarks/clv_fits.py --sets cdnow distribuidora-norte
    python benchmarks/clv_fits.py --time-unit D

Figures depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from crmlib import clv, io
from crmlib import differentiate as dif
from crmlib.exceptions import DataError

ROOT = Path(__file__).resolve().parents[1]
SETS = ("cdnow", "distribuidora-norte", "hotel-mirador", "movil-andina")


def summary_of(name: str, time_unit: str) -> pd.DataFrame:
    if name == "cdnow":  # the 39-week calibration summary of Fader, Hardie & Lee (2005)
        s = pd.read_csv(ROOT / "tests" / "data" / "cdnow_summary.csv")
        return s.rename(columns={"ID": "customer_id", "x": "frequency", "t_x": "recency",
                                 "zbar": "avg_repeat_value"})
    tx = io.read_client_table(ROOT / "data_samples" / name, "transactions")
    return dif.customer_summary(tx, as_of="2024-12-31", time_unit=time_unit)


def timed_fit(model, summary: pd.DataFrame) -> dict:
    """Fit ``model`` counting the calls of its likelihood (one call = all customers)."""
    cls = type(model)
    original = cls._loglik
    calls = [0]

    def counting(*args, **kwargs):
        calls[0] += 1
        return original(*args, **kwargs)

    cls._loglik = staticmethod(counting)
    try:
        start = time.perf_counter()
        model.fit(summary)
        seconds = time.perf_counter() - start
    finally:
        cls._loglik = staticmethod(original)
    return {"seconds": seconds, "evaluations": calls[0],
            "ms_per_evaluation": 1000 * seconds / max(calls[0], 1),
            "log_likelihood": float(model.log_likelihood_),
            "parameters": ", ".join(f"{k}={v:.4g}" for k, v in model.params_.items())}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=SETS)
    parser.add_argument("--time-unit", default="W", choices=("D", "W", "M"))
    args = parser.parse_args(argv)
    rows = []
    for name in args.sets:
        s = summary_of(name, args.time_unit)
        unit = "W" if name == "cdnow" else args.time_unit
        fits = {"BG/NBD": timed_fit(clv.BetaGeoModel(time_unit=unit), s),
                "Pareto/NBD": timed_fit(clv.ParetoNBDModel(time_unit=unit), s)}
        repeat = s[s["frequency"] > 0]
        try:
            fits["Gamma-Gamma"] = timed_fit(clv.GammaGammaModel(), repeat)
        except DataError as exc:
            print(f"{name}: Gamma-Gamma not fitted: {exc}")
        for model, fit in fits.items():
            rows.append({"data": name, "customers": len(s), "model": model, **fit})
        ratio = fits["Pareto/NBD"]["seconds"] / max(fits["BG/NBD"]["seconds"], 1e-9)
        print(f"{name}: Pareto/NBD took {ratio:.0f} times as long as BG/NBD; "
              f"log-likelihood {fits['Pareto/NBD']['log_likelihood']:.2f} against "
              f"{fits['BG/NBD']['log_likelihood']:.2f}", flush=True)
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 200, "display.max_colwidth", 70):
        print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))


if __name__ == "__main__":
    main()
