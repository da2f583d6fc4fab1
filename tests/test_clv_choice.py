"""Choosing the CLV model from the business, the retention fit, its figure and sample data."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

from crmlib import clv, stages
from crmlib.exceptions import ParameterError
from crmlib.io import read_client_table

matplotlib.use("agg")
SAMPLES = Path(__file__).resolve().parents[1] / "data_samples"


def _monthly_billing(n=60, months=12, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        start = int(rng.integers(0, 6))
        stop = months if rng.random() < 0.6 else int(rng.integers(start + 3, months))
        for m in range(start, stop):
            rows.append({"customer_id": f"C{i:03d}",
                         "date": pd.Timestamp("2024-01-05") + pd.DateOffset(months=m),
                         "amount": 30.0})
    return pd.DataFrame(rows)


def _subscriptions(n=200, seed=1):
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 1000, n), unit="D")
    life = rng.geometric(rng.beta(1.0, 12.0, n))
    end = start + pd.to_timedelta(life * 30, unit="D")
    end = end.where(end <= pd.Timestamp("2024-12-31"))
    return pd.DataFrame({"customer_id": [f"S{i}" for i in range(n)], "started_at": start,
                         "ended_at": end})


def test_a_subscriptions_table_makes_the_business_contractual():
    choice = clv.choose_model("auto", subscriptions=_subscriptions(), as_of="2024-12-31")
    assert choice.contractual and choice.decided_by == "subscriptions"
    assert choice.evidence["n_contracts"] == 200 and len(choice.contracts) == 200
    es, en = choice.sentence("es"), choice.sentence("en")
    assert "200 contratos" in es and "200 contracts" in en
    # the report says the rule is the workbook's, not the method's
    assert "no fijan" in es and "workbook's own" in en


def test_monthly_billing_makes_the_business_contractual_and_gives_contracts():
    tx = _monthly_billing()
    assert clv.monthly_billing_share(tx) == 1.0
    choice = clv.choose_model("auto", transactions=tx, as_of="2024-12-31")
    assert choice.contractual and choice.decided_by == "monthly_billing"
    contracts = choice.contracts
    assert set(contracts.columns) == {"customer_id", "started_at", "ended_at", "monthly_fee"}
    # billed through December: active; stopped earlier: cancelled at the end of the last month
    last = tx.groupby("customer_id")["date"].max()
    active = contracts.set_index("customer_id")["ended_at"].isna()
    assert (active == (last >= pd.Timestamp("2024-11-01"))).all()


def test_irregular_purchases_are_non_contractual_and_the_consultant_can_override():
    rng = np.random.default_rng(3)
    tx = pd.DataFrame({"customer_id": [f"C{i % 40}" for i in range(200)],
                       "date": pd.Timestamp("2023-01-01")
                       + pd.to_timedelta(rng.integers(0, 700, 200), unit="D"),
                       "amount": 50.0})
    auto = clv.choose_model("auto", transactions=tx, as_of="2024-12-31")
    assert not auto.contractual and auto.decided_by == "irregular_purchases"
    assert auto.contracts is None
    told = clv.choose_model("non_contractual", subscriptions=_subscriptions(), as_of="2024-12-31")
    assert not told.contractual and told.decided_by == "parameter"
    assert "como indicó el consultor" in told.sentence("es")
    with pytest.raises(ParameterError):
        clv.choose_model("subscription")


def test_fit_retention_on_contracts_reports_parameters_curve_and_holdout():
    fit = clv.fit_retention(_subscriptions(600), as_of="2024-12-31")
    assert fit.usable and fit.n_contracts == 600
    assert fit.check["verdict"] in ("good", "poor")
    # the holdout follows the contracts active a year before as_of
    assert fit.calibration_end == "2023-12-31" and fit.holdout["n_customers"].sum() > 0
    curve = fit.curve(24)
    assert curve["survival"].iloc[0] == 1 and curve["observed"].iloc[0] == 1
    assert (np.diff(curve["survival"]) < 0).all()
    record = fit.record()
    assert record["usable"] and set(record["params"]) == {"alpha", "beta"}
    assert "De cada 100 contratos nuevos" in fit.headline("es", discount_rate=0.1)
    assert "True" not in fit.headline("en") and "sbg" not in fit.headline("en")


def test_fit_retention_says_why_it_cannot_report():
    none = clv.fit_retention(None, as_of="2024-12-31")
    assert none.problems == ("no_contracts",) and "no contracts" in none.note("en")
    subs = _subscriptions(10)
    subs["ended_at"] = pd.NaT
    few = clv.fit_retention(subs, as_of="2024-12-31")
    assert few.problems == ("too_few_contracts", "no_cancellations")
    assert "solo 10 contratos" in few.note("es")


def test_holdout_sentence_flags_a_poor_fit():
    table = pd.DataFrame({"n_customers": [100, 50], "actual": [2.0, 1.0], "expected": [3.0, 2.0]})
    check = clv.holdout_check(table)
    assert check["verdict"] == "poor" and check["relative_error"] == pytest.approx(0.6)
    text = clv.holdout_sentence(check, "BG/NBD", "es")
    assert "ajuste pobre" in text and "+60,0\xa0%" in text and "esperaba 400 y hubo 250" in text
    good = clv.holdout_check(table.assign(expected=[2.1, 1.0]))
    assert good["verdict"] == "good" and "fit is good" in clv.holdout_sentence(good, "sBG", "en")
    nothing = clv.holdout_check(table.assign(actual=0.0))
    assert nothing["verdict"] == "no_data"


def test_plot_retention_curve_draws_fitted_projected_and_observed():
    from crmlib import plot

    model = clv.ShiftedBetaGeoModel().fit(clv.cohort_lifetimes([1000, 900, 820, 760, 715, 680]))
    curve = model.retention_curve(12, clv.cohort_lifetimes([1000, 900, 820, 760, 715, 680]))
    ax = plot.plot_retention_curve(curve, language="es")
    lines = ax.get_lines()
    assert len(lines) == 3
    fitted, projection, observed = lines
    assert list(fitted.get_xdata()) == [0, 1, 2, 3, 4, 5]
    assert projection.get_linestyle() == "--" and projection.get_xdata()[-1] == 12
    np.testing.assert_allclose(observed.get_ydata(), [100, 90, 82, 76, 71.5, 68])
    assert ax.get_title() == "Contratos que siguen activos"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["Modelo (beta-geométrico desplazado)", "Proyección", "Observado"]


def test_movil_andina_has_contracts_for_the_retention_model():
    subs = read_client_table(SAMPLES / "movil-andina", "subscriptions")
    assert len(subs) > 2000 and subs["ended_at"].notna().any() and subs["ended_at"].isna().any()
    customers = set(read_client_table(SAMPLES / "movil-andina", "transactions")["customer_id"])
    assert set(subs["customer_id"]) <= customers
    data = stages.load("02_differentiate", SAMPLES / "movil-andina")
    assert data.subscriptions is not None
    choice = clv.choose_model("auto", transactions=data.transactions,
                              subscriptions=data.subscriptions, as_of="2024-12-31")
    assert choice.contractual
    fit = clv.fit_retention(choice.contracts, as_of="2024-12-31")
    assert fit.usable and fit.check["verdict"] == "good"


@pytest.mark.parametrize("client", ["distribuidora-norte", "hotel-mirador"])
def test_other_samples_are_non_contractual(client):
    data = stages.load("02_differentiate", SAMPLES / client)
    assert data.subscriptions is None
    choice = clv.choose_model("auto", transactions=data.transactions, as_of="2024-12-31")
    assert not choice.contractual
