"""Pareto/NBD, the shifted beta-geometric model and parameter intervals: known answers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, special

from crmlib import clv
from crmlib.exceptions import DataError, ParameterError

DATA = Path(__file__).parent / "data"

# Fader & Hardie (2007), "How to project customer retention", J. Interactive Marketing 21(1),
# table 1: customers of a cohort of 1,000 still active after each of 12 years.
REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173]
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491, 468, 445, 427, 409, 394]


@pytest.fixture(scope="module")
def cdnow_summary():
    """The 39-week calibration summary of the CDNOW sample (2,357 customers), in weeks."""
    s = pd.read_csv(DATA / "cdnow_summary.csv")
    return s.rename(columns={"ID": "customer_id", "x": "frequency", "t_x": "recency",
                             "zbar": "avg_repeat_value"})


@pytest.fixture(scope="module")
def pnbd(cdnow_summary):
    return clv.ParetoNBDModel(time_unit="W").fit(cdnow_summary)


# -- Pareto/NBD ------------------------------------------------------------------------------

def test_pareto_nbd_reproduces_fader_hardie_lee_note(pnbd):
    # Fader, Hardie & Lee (2005), "A note on deriving the Pareto/NBD model and related
    # expressions", section 4: CDNOW, 2,357 customers, 39 weeks: r = 0.55, alpha = 10.58,
    # s = 0.61, beta = 11.67, LL = -9,595.0.
    p = pnbd.params_
    assert p["r"] == pytest.approx(0.55, abs=0.005)
    assert p["alpha"] == pytest.approx(10.58, abs=0.005)
    assert p["s"] == pytest.approx(0.61, abs=0.005)
    assert p["beta"] == pytest.approx(11.67, abs=0.005)
    assert pnbd.log_likelihood_ == pytest.approx(-9595.0, abs=0.05)
    assert pnbd.n_customers_ == 2357


def test_pareto_nbd_standard_errors_match_clvtools(pnbd):
    # R package CLVTools, tests/testthat/test_correctness_pnbd.R: standard errors of the
    # CDNOW Pareto/NBD fit from the Hessian, r 0.0476264, alpha 0.8427222, s 0.1872594,
    # beta 6.2105448 (their summary rounds dates slightly differently: 1 % tolerance).
    se = pnbd.std_errors_
    expected = {"r": 0.0476264, "alpha": 0.8427222, "s": 0.1872594, "beta": 6.2105448}
    for name, value in expected.items():
        assert se[name] == pytest.approx(value, rel=0.01), name


def _likelihood_by_quadrature(params, x, t_x, T):
    """Pareto/NBD likelihood with the drop-out integral done numerically (FHL note, eq. 16):
    G(r+x)a^r b^s/G(r) [ (a+T)^-(r+x) (b+T)^-s + s int_{t_x}^T (a+u)^-(r+x) (b+u)^-(s+1) du ]."""
    r, alpha, s, beta = params
    front = np.exp(special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
                   + s * np.log(beta))
    alive = (alpha + T) ** -(r + x) * (beta + T) ** -s
    dropped = s * integrate.quad(lambda u: (alpha + u) ** -(r + x) * (beta + u) ** -(s + 1),
                                 t_x, T, epsabs=0, epsrel=1e-12)[0]
    return front * (alive + dropped), alive / (alive + dropped)


@pytest.mark.parametrize("params", [(0.55, 10.58, 0.61, 11.67),   # alpha < beta (CDNOW)
                                    (1.3, 20.0, 0.8, 4.0),        # alpha > beta
                                    (0.9, 6.0, 1.0, 6.0)])        # alpha = beta, s = 1
def test_pareto_nbd_closed_form_matches_quadrature(params):
    rows = pd.DataFrame({"frequency": [0, 1, 2, 7, 15], "recency": [0, 5.0, 30.43, 20.0, 38.0],
                         "T": [38.86, 38.86, 38.86, 50.0, 39.0]})
    ll = clv.ParetoNBDModel._loglik(np.array(params), rows["frequency"].to_numpy(float),
                                    rows["recency"].to_numpy(float), rows["T"].to_numpy(float))
    model = clv.ParetoNBDModel(time_unit="W")
    model.params_ = pd.Series(params, index=["r", "alpha", "s", "beta"])
    alive = model.probability_alive(rows).to_numpy()
    for i, row in enumerate(rows.itertuples()):
        like, p_alive = _likelihood_by_quadrature(params, row.frequency, row.recency, row.T)
        assert ll[i] == pytest.approx(np.log(like), rel=1e-9)
        assert alive[i] == pytest.approx(p_alive, rel=1e-8)


def test_pareto_nbd_heavy_buyers_stay_finite():
    # CLVTools (test_correctness_pnbd.R) keeps these four customers because an earlier
    # implementation returned NaN for their P(alive).
    model = clv.ParetoNBDModel(time_unit="W")
    model.params_ = pd.Series([0.5143, 2.8845, 0.2856, 14.1087], index=["r", "alpha", "s", "beta"])
    rows = pd.DataFrame({"frequency": [221, 254, 161, 204],
                         "recency": [103.42857, 97.14286, 94.71429, 98.57143],
                         "T": [103.57143, 97.28571, 98.00000, 99.42857]})
    p = model.probability_alive(rows)
    assert np.isfinite(p).all() and ((p > 0) & (p <= 1)).all()
    # the customer silent for 3.3 weeks after 161 purchases is the least likely to be alive
    assert p.idxmin() == 2
    assert np.isfinite(model.conditional_expected_purchases(52, rows)).all()


def test_pareto_nbd_expectations(pnbd, cdnow_summary):
    # E[X(t)] for a new customer is the limit of the conditional expectation of a customer
    # with no history yet (x = 0, t_x = 0, T -> 0)
    fresh = pd.DataFrame({"frequency": [0.0], "recency": [0.0], "T": [1e-9]})
    assert pnbd.conditional_expected_purchases(39, fresh).iloc[0] == pytest.approx(
        float(pnbd.expected_purchases_new(39)), rel=1e-6)
    # conditional expectation grows with the horizon and is 0 at t = 0
    e0 = pnbd.conditional_expected_purchases(0, cdnow_summary)
    e39 = pnbd.conditional_expected_purchases(39, cdnow_summary)
    e78 = pnbd.conditional_expected_purchases(78, cdnow_summary)
    assert (e0 == 0).all() and (e39 < e78).all()
    p = pnbd.probability_alive(cdnow_summary)
    assert ((p > 0) & (p <= 1)).all()
    # FHL (2005, Marketing Science, section 5): on CDNOW the BG/NBD and Pareto/NBD forecasts
    # are practically the same; their 39-week totals agree within 1 %.
    bgnbd = clv.BetaGeoModel(time_unit="W").fit(cdnow_summary)
    assert e39.sum() == pytest.approx(bgnbd.conditional_expected_purchases(39, cdnow_summary)
                                      .sum(), rel=0.01)


def test_pareto_nbd_holdout_on_cdnow(cdnow_summary):
    tx = pd.read_csv(DATA / "cdnow_sample.csv", dtype={"customer_id": str, "date": str})
    tx["date"] = pd.to_datetime(tx["date"], format="%Y%m%d")
    cal = clv.calibration_holdout(tx, calibration_end="1997-09-30",
                                  observation_end="1998-06-30", time_unit="W")
    model = clv.ParetoNBDModel(time_unit="W").fit(cal)
    table = clv.holdout_table(model, cal)
    assert table["n_customers"].sum() == 2357
    check = clv.holdout_check(table)
    # the holdout counts repeat purchase days in weeks 40-78 (FHL 2005 count 1,788 repeat
    # transactions; distinct days per customer here); the forecast falls a little short
    assert check["actual"] == table.eval("n_customers * actual").sum()
    assert check["verdict"] == "good" and -0.15 < check["relative_error"] < 0
    assert clv.holdout_check(table, tolerance=0.05)["verdict"] == "poor"


# -- shifted beta-geometric -------------------------------------------------------------------

@pytest.mark.parametrize("survivors,alpha,beta", [
    # Fader & Hardie (2007), section 4: fitted on years 1-7 of each segment. The cohort that
    # keeps 631 of 1,000 after one year is the "regular" segment (alpha 0.704, beta 1.182),
    # the one keeping 869 the "high end" segment (alpha 0.668, beta 3.806).
    (REGULAR, 0.704, 1.182),
    (HIGH_END, 0.668, 3.806),
])
def test_sbg_reproduces_fader_hardie_2007(survivors, alpha, beta):
    model = clv.ShiftedBetaGeoModel(period="Y").fit(clv.cohort_lifetimes(survivors[:8]))
    assert model.params_["alpha"] == pytest.approx(alpha, abs=0.0005)
    assert model.params_["beta"] == pytest.approx(beta, abs=0.0005)
    assert model.n_customers_ == 1000 and model.max_periods_ == 7
    # FH (2007), figure 4: the curve fitted on 7 years projects years 8-12 closely
    curve = model.retention_curve(12)
    projected = curve.loc[curve["period"] >= 8, "survival"].to_numpy() * 1000
    np.testing.assert_allclose(projected, survivors[8:], rtol=0.05)
    assert curve["projected"].tolist() == [t > 7 for t in range(13)]


def test_sbg_retention_rate_rises_with_tenure_and_matches_survival():
    model = clv.ShiftedBetaGeoModel(period="Y").fit(clv.cohort_lifetimes(REGULAR[:8]))
    curve = model.retention_curve(12)
    s = curve["survival"].to_numpy()
    # r(t) = S(t) / S(t - 1) (FH 2007, equation 6)
    np.testing.assert_allclose(curve["retention_rate"].to_numpy()[1:], s[1:] / s[:-1],
                               rtol=1e-12)
    assert np.all(np.diff(curve["retention_rate"].to_numpy()[1:]) > 0)


def test_sbg_derl_equals_discounted_sum_of_survival():
    # DERL (Fader & Hardie 2010, eq. 6) is the sum over later periods t >= n of
    # S(t) / S(n - 1) / (1 + d)^(t - n); check the closed form against the sum.
    model = clv.ShiftedBetaGeoModel(period="Y").fit(clv.cohort_lifetimes(HIGH_END[:8]))
    t = np.arange(0, 4000)
    for n in (1, 2, 5, 10):
        direct = np.sum(model.survival(t[t >= n]) / model.survival(n - 1)
                        / 1.1 ** (t[t >= n] - n))
        assert model.expected_residual_lifetime(n, discount_rate=0.10) == pytest.approx(
            direct, rel=1e-9)
    # a monthly model converts the annual rate: 12 monthly steps discount like one year
    monthly = clv.ShiftedBetaGeoModel(period="M")
    monthly.params_ = model.params_
    assert model.expected_residual_lifetime(3, discount_rate=0.0) == np.inf  # alpha < 1
    assert monthly.expected_residual_lifetime(3, discount_rate=0.10) > \
        model.expected_residual_lifetime(3, discount_rate=0.10)


def test_cohort_lifetimes_rejects_rising_counts():
    with pytest.raises(DataError, match="never rises"):
        clv.cohort_lifetimes([100, 80, 85, 60])
    with pytest.raises(DataError, match="no cancellation"):
        clv.ShiftedBetaGeoModel().fit(clv.cohort_lifetimes([100, 100, 100]))


def test_subscription_lifetimes_counts_periods_begun():
    subs = pd.DataFrame({"customer_id": ["A", "B", "C", "D"],
                         "started_at": ["2024-01-15", "2024-01-15", "2024-03-01", "2025-02-01"],
                         "ended_at": ["2024-03-20", None, "2024-03-31", None]})
    out = clv.subscription_lifetimes(subs, as_of="2024-12-31", period="M")
    assert out["customer_id"].tolist() == ["A", "B", "C"]  # D starts after as_of
    # A: Jan 15 -> Mar 20 ends in its third month: lifetime 3, cancelled
    # B: active since Jan 15, in its 12th month on Dec 31: 11 renewals so far
    # C: cancelled within its first month: lifetime 1
    assert out["periods"].tolist() == [3, 11, 1]
    assert out["churned"].tolist() == [True, False, True]
    quarters = clv.subscription_lifetimes(subs, as_of="2024-12-31", period="Q")
    assert quarters["periods"].tolist() == [1, 3, 1]


def test_subscription_lifetimes_names_bad_rows():
    subs = pd.DataFrame({"customer_id": ["A", "B", "C"],
                         "started_at": ["2024-01-15", "not a date", "2024-05-01"],
                         "ended_at": ["2023-12-01", None, "soon"]})
    with pytest.raises(DataError) as err:
        clv.subscription_lifetimes(subs, as_of="2024-12-31")
    text = str(err.value)
    assert "started_at" in text and "is before started_at" in text and "is not a date" in text


# -- standard errors and intervals ---------------------------------------------------------------

def test_bgnbd_standard_errors_match_lifetimes(cdnow_summary):
    # lifetimes 0.11.3 documentation, "Quickstart": BetaGeoFitter on the CDNOW summary,
    # se(coef) r 0.012557, alpha 0.378221, a 0.185719, b 0.705345.
    model = clv.BetaGeoModel(time_unit="W").fit(cdnow_summary)
    expected = {"r": 0.012557, "alpha": 0.378221, "a": 0.185719, "b": 0.705345}
    for name, value in expected.items():
        assert model.std_errors_[name] == pytest.approx(value, rel=2e-3), name
    ci = model.confidence_intervals(0.95)
    assert (ci["ci_low"] < ci["estimate"]).all() and (ci["estimate"] < ci["ci_high"]).all()
    assert (ci["ci_low"] > 0).all()
    wider = model.confidence_intervals(0.99)
    assert (wider["ci_low"] < ci["ci_low"]).all() and (wider["ci_high"] > ci["ci_high"]).all()
    with pytest.raises(ParameterError):
        model.confidence_intervals(1.5)


def _sbg_sample(rng, alpha, beta, n, periods):
    theta = rng.beta(alpha, beta, n)
    life = rng.geometric(theta)
    return pd.DataFrame({"periods": np.minimum(life, periods), "churned": life <= periods})


@pytest.mark.slow
def test_sbg_intervals_cover_the_true_parameters():
    # Parametric bootstrap: 200 cohorts of 800 customers drawn from sBG(0.7, 1.2) and
    # followed for 7 periods (seeded). A 95 % interval must cover the true value in about
    # 95 % of them; with 200 draws, 88 %-99.5 % is the binomial range at the 0.1 % level.
    rng = np.random.default_rng(20070101)
    cover = np.zeros(2)
    for _ in range(200):
        model = clv.ShiftedBetaGeoModel(n_starts=1).fit(_sbg_sample(rng, 0.7, 1.2, 800, 7))
        ci = model.confidence_intervals(0.95)
        cover += (ci["ci_low"].to_numpy() <= [0.7, 1.2]) & ([0.7, 1.2] <= ci["ci_high"].to_numpy())
    assert ((cover / 200 >= 0.88) & (cover / 200 <= 0.995)).all(), cover


@pytest.mark.slow
def test_gamma_gamma_intervals_cover_the_true_parameters():
    # Parametric bootstrap of Fader & Hardie (2013): p = 6, q = 4, gamma = 15, 1,000 repeat
    # buyers with 1-10 repeat purchases, 60 seeded draws; 95 % intervals should cover in
    # 48-60 of them (binomial range at the 0.1 % level is 50-60; one draw of slack).
    rng = np.random.default_rng(20130101)
    p, q, g = 6.0, 4.0, 15.0
    cover = np.zeros(3)
    for _ in range(60):
        x = rng.integers(1, 11, 1000)
        nu = rng.gamma(q, 1 / g, 1000)
        m = rng.gamma(p * x, 1 / (nu * x))  # mean of x Gamma(p, nu) purchases
        model = clv.GammaGammaModel(n_starts=1).fit(
            pd.DataFrame({"frequency": x.astype(float), "avg_repeat_value": m}))
        ci = model.confidence_intervals(0.95)
        cover += (ci["ci_low"].to_numpy() <= [p, q, g]) & ([p, q, g] <= ci["ci_high"].to_numpy())
    assert (cover >= 48).all(), cover


def test_pareto_nbd_and_sbg_in_parameters_table(pnbd):
    sbg = clv.ShiftedBetaGeoModel(period="Y").fit(clv.cohort_lifetimes(REGULAR[:8]))
    table = clv.parameters_table(pnbd, sbg)
    assert list(table.columns) == ["model", "parameter", "estimate", "std_error", "ci_low",
                                   "ci_high"]
    rows = table.set_index(["model", "parameter"])
    assert rows.loc[("Pareto/NBD", "s"), "estimate"] == pytest.approx(pnbd.params_["s"])
    assert rows.loc[("Pareto/NBD", "s"), "std_error"] == pytest.approx(pnbd.std_errors_["s"])
    assert rows.loc[("sBG", "sbg_alpha"), "estimate"] == pytest.approx(sbg.params_["alpha"])
    # the likelihood and the count carry no interval
    assert np.isnan(rows.loc[("sBG", "log_likelihood"), "std_error"])


def test_fit_models_can_fit_pareto_nbd_alongside(cdnow_summary):
    fit = clv.fit_models(cdnow_summary, time_unit="W", pareto_nbd=True)
    assert fit.usable and fit.pareto_nbd is not None
    # the same published CDNOW estimates (Fader, Hardie & Lee 2005 note)
    assert fit.pareto_nbd.params_["alpha"] == pytest.approx(10.58, abs=0.01)
    assert clv.fit_models(cdnow_summary, time_unit="W").pareto_nbd is None


def test_contract_values_are_fee_times_the_discounted_residual_lifetime_by_hand():
    # Fader & Hardie (2010): an active contract that has paid n periods is worth its fee
    # times DERL(n). Checked against the discounted sum of survival, contract by contract.
    model = clv.ShiftedBetaGeoModel(period="M")
    model.params_ = clv.ShiftedBetaGeoModel(period="Y").fit(
        clv.cohort_lifetimes(REGULAR[:8])).params_
    contracts = pd.DataFrame({
        "customer_id": ["a", "b", "b", "c", "d"],
        # a: Jan 15 to Dec 31 is 11 whole months, so 11 renewals and 12 months paid;
        # b: two contracts (12 and 1 months paid); c cancelled; d starts after as_of
        "started_at": ["2024-01-15", "2024-01-01", "2024-12-20", "2023-01-01", "2025-02-01"],
        "ended_at": [None, None, None, "2023-06-30", None],
        "monthly_fee": [30.0, 10.0, 20.0, 99.0, 50.0]})
    values = clv.contract_values(model, contracts, as_of="2024-12-31", discount_rate=0.10)
    d = 1.1 ** (1 / 12) - 1
    t = np.arange(0, 20000)

    def derl(n):
        later = t[t >= n]
        return np.sum(model.survival(later) / model.survival(n - 1) / (1 + d) ** (later - n))

    by = values.set_index("customer_id")
    assert sorted(by.index) == ["a", "b"]  # c cancelled, d not started
    assert by.loc["a", "months_paid"] == 12 and by.loc["b", "n_contracts"] == 2
    assert by.loc["a", "residual_value"] == pytest.approx(30 * derl(12), rel=1e-6)
    assert by.loc["b", "residual_value"] == pytest.approx(10 * derl(12) + 20 * derl(1),
                                                          rel=1e-6)
    assert values.attrs["n_active"] == 3
    assert values.attrs["total_value"] == pytest.approx(by["residual_value"].sum())
    # a customer who has renewed longer is worth more at the same fee (heterogeneity)
    assert derl(12) > derl(1)
    # without fees: months only, and the sentence asks for the fee
    bare = clv.contract_values(model, contracts.drop(columns="monthly_fee"), as_of="2024-12-31")
    assert bare["residual_value"].isna().all() and np.isnan(bare.attrs["total_value"])
    assert "monthly fee" in clv.contract_value_sentence(bare, "en")
    es = clv.contract_value_sentence(values, "es", currency="EUR")
    assert "3 contratos activos" in es and "€" in es
    with pytest.raises(ParameterError, match="discount_rate"):
        clv.contract_values(model, contracts, as_of="2024-12-31", discount_rate=-0.1)
    # undiscounted with alpha <= 1 (this model) the residual lifetime is unbounded: no
    # number is shown, and the sentence asks for a discount rate
    assert model.params_["alpha"] <= 1
    flat = clv.contract_values(model, contracts, as_of="2024-12-31", discount_rate=0)
    assert flat.attrs["unbounded"] and flat["residual_value"].isna().all()
    assert "discount rate above zero" in clv.contract_value_sentence(flat, "en")


def test_billing_contracts_read_the_fee_off_the_last_three_months():
    tx = pd.DataFrame({"customer_id": ["a"] * 5 + ["b"] * 2,
                       "date": pd.to_datetime(["2024-08-03", "2024-09-03", "2024-10-03",
                                               "2024-11-03", "2024-12-03",
                                               "2024-01-10", "2024-02-10"]),
                       "amount": [10.0, 10.0, 20.0, 30.0, 40.0, 5.0, 7.0]})
    out = clv.billing_contracts(tx, as_of="2024-12-31").set_index("customer_id")
    assert out.loc["a", "monthly_fee"] == pytest.approx(30.0)  # (20 + 30 + 40) / 3
    assert out.loc["b", "monthly_fee"] == pytest.approx(6.0)
    assert pd.isna(out.loc["a", "ended_at"]) and out.loc["b", "ended_at"] == \
        pd.Timestamp("2024-02-29")
