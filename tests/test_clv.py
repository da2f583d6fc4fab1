"""BG/NBD and Gamma-Gamma: known answers on CDNOW, predictions, errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crmlib import clv
from crmlib.differentiate import customer_summary
from crmlib.exceptions import DataError, ParameterError

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def cdnow_summary():
    """The 39-week calibration summary of the CDNOW sample (2,357 customers), in weeks."""
    s = pd.read_csv(DATA / "cdnow_summary.csv")
    return s.rename(columns={"ID": "customer_id", "x": "frequency", "t_x": "recency",
                             "zbar": "avg_repeat_value"})


@pytest.fixture(scope="module")
def cdnow_transactions():
    tx = pd.read_csv(DATA / "cdnow_sample.csv", dtype={"customer_id": str, "date": str})
    tx["date"] = pd.to_datetime(tx["date"], format="%Y%m%d")
    return tx


@pytest.fixture(scope="module")
def bgnbd(cdnow_summary):
    return clv.BetaGeoModel(time_unit="W").fit(cdnow_summary)


@pytest.fixture(scope="module")
def gamma_gamma(cdnow_summary):
    return clv.GammaGammaModel().fit(cdnow_summary)


def test_bgnbd_reproduces_fader_hardie_lee_2005(bgnbd):
    # Fader, Hardie & Lee (2005), "Counting your customers the easy way", Marketing Science
    # 24(2), section 5: CDNOW sample, 2,357 customers, 39-week calibration:
    # r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4.
    p = bgnbd.params_
    assert p["r"] == pytest.approx(0.243, abs=5e-4)
    assert p["alpha"] == pytest.approx(4.414, abs=5e-4)
    assert p["a"] == pytest.approx(0.793, abs=5e-4)
    assert p["b"] == pytest.approx(2.426, abs=5e-4)
    assert bgnbd.log_likelihood_ == pytest.approx(-9582.4, abs=0.05)
    assert bgnbd.n_customers_ == 2357
    assert bgnbd.time_unit_ == "W"


def test_gamma_gamma_reproduces_fader_hardie_2013(gamma_gamma):
    # Fader & Hardie (2013), "The Gamma-Gamma model of monetary value", p. 4: the 946 CDNOW
    # customers with repeat purchases give p = 6.25, q = 3.74, gamma = 15.44.
    p = gamma_gamma.params_
    assert gamma_gamma.n_customers_ == 946
    assert p["p"] == pytest.approx(6.25, abs=0.005)
    assert p["q"] == pytest.approx(3.74, abs=0.005)
    assert p["gamma"] == pytest.approx(15.44, abs=0.01)


def test_conditional_expectation_matches_hardie_spreadsheet(bgnbd):
    # FHL (2005) eq. (10), worked in Hardie's "bgnbd.xls" and quoted in lifetimes' tests:
    # a customer with x = 2, t_x = 30.43, T = 38.86 weeks makes 1.226 purchases in 39 weeks.
    one = pd.DataFrame({"frequency": [2], "recency": [30.43], "T": [38.86]})
    assert bgnbd.conditional_expected_purchases(39, one).iloc[0] == pytest.approx(1.226, abs=1e-3)


def test_unconditional_expectation_matches_hardie_spreadsheet(bgnbd):
    # FHL (2005) eq. (9), E[X(t)] for a new customer; values of Hardie's spreadsheet as
    # quoted in lifetimes' test suite (test_expectation_returns_same_value_Hardie_excel_sheet).
    t = [0.1429, 1.0, 3.00, 31.8571, 32.00, 78.00]
    expected = [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576]
    np.testing.assert_allclose(bgnbd.expected_purchases_new(t), expected, atol=6e-4)


def test_gamma_gamma_expected_values_match_lifetimes_docs(cdnow_summary, gamma_gamma):
    # lifetimes 0.11 documentation ("Estimating customer lifetime value using the Gamma-Gamma
    # model") lists conditional_expected_average_profit for CDNOW customers 1..10.
    documented = [24.658619, 18.911489, 35.170981, 35.170981, 35.170981, 71.462843,
                  18.911489, 35.170981, 27.282408, 35.170981]
    got = gamma_gamma.expected_average_value(cdnow_summary.head(10)).to_numpy()
    np.testing.assert_allclose(got, documented, rtol=2e-4)
    # Same page: "Expected conditional average profit: 35.2529588256" (mean over all 2,357
    # customers) and "Average profit: 35.0785517970" (mean spend of the repeat buyers).
    assert gamma_gamma.expected_average_value(cdnow_summary).mean() == pytest.approx(
        35.2529588256, rel=1e-5)
    rep = cdnow_summary[cdnow_summary["frequency"] > 0]
    assert rep["avg_repeat_value"].mean() == pytest.approx(35.0785517970, rel=1e-9)


def test_summary_from_cdnow_transactions_matches_published_summary(cdnow_transactions,
                                                                   cdnow_summary):
    # The published summary uses weeks rounded to 2 decimals; the calibration ends on
    # 1997-09-30 (39 weeks after 1997-01-01).
    s = customer_summary(cdnow_transactions, as_of="1997-09-30", time_unit="W")
    assert len(s) == 2357
    np.testing.assert_array_equal(s["frequency"].to_numpy(), cdnow_summary["frequency"])
    np.testing.assert_allclose(s["recency"], cdnow_summary["recency"], atol=0.0051)
    np.testing.assert_allclose(s["T"], cdnow_summary["T"], atol=0.0051)
    np.testing.assert_allclose(s["avg_repeat_value"], cdnow_summary["avg_repeat_value"],
                               atol=0.0051)
    model = clv.BetaGeoModel().fit(s)  # time unit read from the summary
    assert model.time_unit_ == "W"
    np.testing.assert_allclose(model.params_.to_numpy(), [0.243, 4.414, 0.793, 2.426],
                               atol=2e-3)


def test_probability_alive_properties(bgnbd, cdnow_summary):
    p = bgnbd.probability_alive(cdnow_summary)
    assert ((p > 0) & (p <= 1)).all()
    assert (p[cdnow_summary["frequency"] == 0] == 1).all()  # no repeat: no chance to drop out yet
    # For the same frequency and age, a more recent last purchase means more likely alive.
    grid = pd.DataFrame({"frequency": [3, 3, 3], "recency": [5.0, 20.0, 35.0], "T": 38.0})
    g = bgnbd.probability_alive(grid).to_numpy()
    assert g[0] < g[1] < g[2]


def test_probability_alive_matches_closed_form(bgnbd):
    # FHL (2005) eq. (13) written out directly for one customer.
    r, alpha, a, b = bgnbd.params_
    x, tx, T = 4, 10.0, 38.0
    direct = 1 / (1 + a / (b + x - 1) * ((alpha + T) / (alpha + tx)) ** (r + x))
    one = pd.DataFrame({"frequency": [x], "recency": [tx], "T": [T]})
    assert bgnbd.probability_alive(one).iloc[0] == pytest.approx(direct, rel=1e-12)


def test_loglik_is_stable_for_heavy_buyers(bgnbd):
    heavy = pd.DataFrame({"frequency": [5000.0], "recency": [38.0], "T": [38.5]})
    assert np.isfinite(bgnbd.probability_alive(heavy)).all()
    assert np.isfinite(clv.BetaGeoModel._loglik(bgnbd.params_.to_numpy(), np.array([5000.0]),
                                                np.array([38.0]), np.array([38.5]))).all()


def test_clv_equals_expected_purchases_times_value_without_discount(bgnbd, gamma_gamma,
                                                                    cdnow_summary):
    # With no discounting, the monthly steps add up to E[Y(horizon)] * E[value].
    s = cdnow_summary.head(50)
    value = clv.customer_lifetime_value(bgnbd, gamma_gamma, s, horizon=6, time_unit="M")
    weeks = 6 * clv.TIME_UNIT_DAYS["M"] / 7
    direct = (bgnbd.conditional_expected_purchases(weeks, s)
              * gamma_gamma.expected_average_value(s)).to_numpy()
    np.testing.assert_allclose(value.to_numpy(), direct, rtol=1e-10)
    discounted = clv.customer_lifetime_value(bgnbd, gamma_gamma, s, horizon=6, time_unit="M",
                                             discount_rate=0.12)
    assert (discounted.to_numpy() < value.to_numpy()).all()


def test_clv_table_columns_and_order(bgnbd, gamma_gamma, cdnow_summary):
    table = clv.clv_table(bgnbd, gamma_gamma, cdnow_summary, horizon=12, discount_rate=0.1)
    assert list(table.columns) == ["customer_id", "frequency", "recency", "T", "p_alive",
                                   "expected_purchases", "expected_avg_value", "clv",
                                   "clv_share"]
    assert table["clv"].is_monotonic_decreasing
    assert table["clv_share"].sum() == pytest.approx(1.0)


def test_holdout_table_on_cdnow(bgnbd, cdnow_transactions):
    cal = clv.calibration_holdout(cdnow_transactions, calibration_end="1997-09-30",
                                  observation_end="1998-06-30", time_unit="W")
    assert len(cal) == 2357
    assert cal["duration_holdout"].iloc[0] == pytest.approx(273 / 7)
    table = clv.holdout_table(bgnbd, cal, max_frequency=7)
    assert table["frequency"].tolist() == list(range(8))
    assert table["n_customers"].sum() == 2357
    # FHL (2005), figure 4: the model tracks the conditional expectations closely; the
    # zero-frequency group is predicted within a few hundredths of a purchase.
    assert abs(table.loc[0, "difference"]) < 0.05
    # Expected purchases rise with calibration frequency, as the actual ones do.
    assert table["expected"].is_monotonic_increasing


def test_probability_alive_matrix(bgnbd):
    m = clv.probability_alive_matrix(bgnbd, max_frequency=10, T=39.0)
    assert set(m.columns) == {"frequency", "recency", "T", "p_alive"}
    assert m["p_alive"].between(0, 1).all()
    assert (m.loc[m["frequency"] == 0, "recency"] == 0).all()


def test_time_unit_must_be_known(cdnow_summary):
    with pytest.raises(ParameterError, match="time_unit"):
        clv.BetaGeoModel().fit(cdnow_summary)
    with pytest.raises(ParameterError, match="time_unit"):
        clv.BetaGeoModel(time_unit="fortnight").fit(cdnow_summary)


def test_time_unit_conflict_is_an_error(cdnow_transactions):
    s = customer_summary(cdnow_transactions, as_of="1997-09-30", time_unit="D")
    with pytest.raises(ParameterError, match="differs"):
        clv.BetaGeoModel(time_unit="W").fit(s)


def test_bad_summary_rows_are_named():
    bad = pd.DataFrame({"frequency": [1, 2, -1, 0], "recency": [3.0, 50.0, 1.0, 2.0],
                        "T": [10.0, 40.0, 5.0, 6.0]})
    with pytest.raises(DataError) as err:
        clv.BetaGeoModel(time_unit="D").fit(bad)
    text = str(err.value)
    assert "frequency" in text and "is negative" in text and "row 2" in text
    assert "recency" in text and "greater than T" in text and "row 1" in text


def test_predict_before_fit_raises(cdnow_summary):
    with pytest.raises(ParameterError, match="not fitted"):
        clv.BetaGeoModel(time_unit="W").probability_alive(cdnow_summary)


def test_gamma_gamma_skips_non_positive_repeat_values(cdnow_summary):
    s = cdnow_summary.copy()
    first_repeat = s.index[s["frequency"] > 0][0]
    s.loc[first_repeat, "avg_repeat_value"] = -5.0
    model = clv.GammaGammaModel().fit(s)
    assert model.n_customers_ == 945 and model.n_excluded_ == 1
    # That customer gets the population mean.
    got = model.expected_average_value(s.loc[[first_repeat]]).iloc[0]
    assert got == pytest.approx(model.population_mean_)


def test_fit_does_not_mutate_input(cdnow_summary):
    before = cdnow_summary.copy(deep=True)
    clv.BetaGeoModel(time_unit="W").fit(cdnow_summary)
    clv.GammaGammaModel().fit(cdnow_summary)
    pd.testing.assert_frame_equal(cdnow_summary, before)
