"""Which CLV model suits the client's business, and the retention fit of a contractual one.

The method's documents value customers by what they will bring, but they do
not say how to tell a contractual business from a non-contractual one; the
workbook decides it this way (and the report says so):

* the consultant can state it (stage parameter ``business``:
  ``"contractual"`` or ``"non_contractual"``);
* with ``"auto"``, a client who sends a ``subscriptions`` table (contracts
  with start and cancellation dates) is contractual; so is a client whose
  transactions are regular monthly billing (most customers charged in at
  least 90 % of the months between their first and last charge, over three
  months or more); anyone else is non-contractual.

A contractual client gets the shifted beta-geometric retention model
(:func:`fit_retention`); a non-contractual one the purchase models (BG/NBD,
Pareto/NBD) and Gamma-Gamma (:func:`crmlib.clv.fit_models`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crmlib._purchases import _clean_transactions
from crmlib.clv._holdout import holdout_check
from crmlib.clv._sbg import (
    PERIOD_MONTHS,
    ShiftedBetaGeoModel,
    retention_holdout,
    retention_holdout_table,
    subscription_lifetimes,
)
from crmlib.exceptions import DataError, ParameterError, check_choice
from crmlib.i18n import (
    format_count,
    format_currency,
    format_date,
    format_number,
    format_percent,
    t,
)

#: values of the stage parameter ``business``
BUSINESS = ("auto", "contractual", "non_contractual")

#: share of customers billed nearly every month above which ``auto`` calls billing regular
MONTHLY_SHARE = 0.6


@dataclass(frozen=True)
class ModelChoice:
    """The business type the CLV section treats the client as, and why.

    Attributes
    ----------
    business : {"contractual", "non_contractual"}
    decided_by : {"parameter", "subscriptions", "monthly_billing", "irregular_purchases"}
    contracts : DataFrame or None
        For a contractual client: ``customer_id``, ``started_at``, ``ended_at``
        (the subscriptions table, or contracts read off monthly billing).
    evidence : dict
        ``n_contracts``, ``monthly_share`` (share of customers billed nearly
        every month; NaN when not measured).
    """

    business: str
    decided_by: str
    contracts: pd.DataFrame | None = field(default=None, repr=False)
    evidence: dict = field(default_factory=dict)

    @property
    def contractual(self) -> bool:
        return self.business == "contractual"

    def sentence(self, language: str = "es") -> str:
        """Why this model, in the reader's language (says the rule is the workbook's)."""
        ev = self.evidence
        share = ev.get("monthly_share", float("nan"))
        text = t(f"clv.choice.{self.decided_by}", language,
                 business=t(f"clv.business.{self.business}", language),
                 n=format_count(ev.get("n_contracts", 0), language),
                 share=format_percent(share, language) if np.isfinite(share) else "–",
                 threshold=format_percent(MONTHLY_SHARE, language))
        model = t(f"clv.choice.model.{self.business}", language)
        return f"{text} {model} {t('clv.choice.rule', language)}"

    def values_note(self, language: str = "es") -> str:
        """For a contractual client, what the purchase-model values per customer are for
        (ranking, as in every stage) beside the contract values of the retention model;
        empty for a non-contractual one."""
        return t("clv.contract_value.purchase_values", language) if self.contractual else ""

    def record(self) -> dict:
        ev = {k: (None if isinstance(v, float) and not np.isfinite(v) else v)
              for k, v in self.evidence.items()}
        return {"business": self.business, "decided_by": self.decided_by, **ev}


def monthly_billing_share(transactions: pd.DataFrame, *, as_of=None, min_months: int = 3,
                          coverage: float = 0.9) -> float:
    """Share of customers charged in at least ``coverage`` of the months they were customers.

    Only customers whose first and last charge are ``min_months`` or more
    months apart count; NaN when there is none.
    """
    tx = _clean_transactions(transactions, "monthly_billing_share")
    if as_of is not None:
        tx = tx[tx["date"] <= pd.Timestamp(as_of) + pd.Timedelta(days=1)]
    sales = tx[tx["amount"] > 0]
    if sales.empty:
        return float("nan")
    month = sales["date"].dt.year * 12 + sales["date"].dt.month
    per = pd.DataFrame({"customer_id": sales["customer_id"], "m": month}).groupby(
        "customer_id")["m"].agg(["min", "max", "nunique"])
    span = per["max"] - per["min"] + 1
    long = per[span >= min_months]
    if long.empty:
        return float("nan")
    return float((long["nunique"] / span[long.index] >= coverage).mean())


def billing_contracts(transactions: pd.DataFrame, *, as_of) -> pd.DataFrame:
    """Contracts read off monthly billing: first charge to last charge per customer.

    A customer with no charge in the last two whole months before ``as_of``
    is taken to have cancelled at the end of the month of the last charge;
    the others are active.

    Returns
    -------
    DataFrame
        ``customer_id``, ``started_at``, ``ended_at`` (NaT while active) and
        ``monthly_fee``: the mean monthly charge over the customer's last three charged
        months (the workbook's reading of a fee when the client sends no contracts table).
    """
    tx = _clean_transactions(transactions, "billing_contracts")
    as_of = pd.Timestamp(as_of).normalize()
    sales = tx[(tx["amount"] > 0) & (tx["date"] <= as_of + pd.Timedelta(days=1))]
    per = sales.groupby("customer_id", sort=True)["date"].agg(["min", "max"])
    last_month_end = (per["max"] + pd.offsets.MonthEnd(0)).dt.normalize()
    cutoff = (as_of - pd.DateOffset(months=2) + pd.offsets.MonthEnd(0)).normalize()
    ended = last_month_end.where(last_month_end <= cutoff)
    monthly = sales.assign(month=sales["date"].dt.to_period("M")).groupby(
        ["customer_id", "month"])["amount"].sum()
    fee = monthly.groupby(level="customer_id").apply(lambda m: m.tail(3).mean())
    return pd.DataFrame({"customer_id": per.index.to_numpy(),
                         "started_at": per["min"].dt.normalize().to_numpy(),
                         "ended_at": ended.to_numpy(),
                         "monthly_fee": fee.reindex(per.index).to_numpy(dtype=float)})


def choose_model(business: str = "auto", *, transactions: pd.DataFrame | None = None,
                 subscriptions: pd.DataFrame | None = None, as_of=None) -> ModelChoice:
    """Decide between the contractual and the non-contractual CLV models.

    Parameters
    ----------
    business : {"auto", "contractual", "non_contractual"}, default "auto"
        The consultant's statement, or ``"auto"`` to decide from the data.
    transactions : DataFrame, optional
        Contract ``transactions`` (for the monthly-billing test and, failing a
        subscriptions table, the contracts of a contractual client).
    subscriptions : DataFrame, optional
        Contract ``subscriptions``; None when the client has none.
    as_of : date-like, optional

    Returns
    -------
    ModelChoice
    """
    check_choice("business", business, BUSINESS)
    has_subs = subscriptions is not None and len(subscriptions) > 0
    share = float("nan")
    if transactions is not None and len(transactions) and not has_subs:
        share = monthly_billing_share(transactions, as_of=as_of)
    if business == "auto":
        if has_subs:
            kind, why = "contractual", "subscriptions"
        elif np.isfinite(share) and share >= MONTHLY_SHARE:
            kind, why = "contractual", "monthly_billing"
        else:
            kind, why = "non_contractual", "irregular_purchases"
    else:
        kind, why = business, "parameter"
    contracts = None
    if kind == "contractual":
        if has_subs:
            keep = ["customer_id", "started_at", "ended_at"] + (
                ["monthly_fee"] if "monthly_fee" in subscriptions else [])
            contracts = subscriptions[keep].copy()
        elif transactions is not None and as_of is not None:
            contracts = billing_contracts(transactions, as_of=as_of)
    evidence = {"n_contracts": 0 if contracts is None else len(contracts),
                "monthly_share": share}
    return ModelChoice(kind, why, contracts, evidence)


#: problem codes of :class:`RetentionFit`
RETENTION_PROBLEMS = ("no_contracts", "too_few_contracts", "no_cancellations", "sbg_failed",
                      "sbg_at_bound")


@dataclass(frozen=True)
class RetentionFit:
    """The sBG model fitted on a client's contracts, its holdout check, and what is wrong.

    Attributes
    ----------
    model : ShiftedBetaGeoModel or None
        Fitted on every contract up to ``as_of``.
    holdout : DataFrame
        :func:`retention_holdout_table` of a model fitted on the contracts as
        known ``holdout_months`` before ``as_of`` (no row when it could not be made).
    check : dict or None
        :func:`holdout_check` of that table.
    problems : tuple of str
        Codes from :data:`RETENTION_PROBLEMS`; empty when the fit can be reported.
    n_contracts : int
    calibration_end : str or None
    """

    model: ShiftedBetaGeoModel | None
    holdout: pd.DataFrame | None
    check: dict | None
    problems: tuple
    n_contracts: int
    calibration_end: str | None = None
    lifetimes: pd.DataFrame | None = field(default=None, repr=False)

    def calibration_date(self, language: str = "es") -> str:
        """The end of the calibration period written for a reader."""
        return format_date(self.calibration_end, language) if self.calibration_end else "–"

    def curve(self, periods: int = 36) -> pd.DataFrame:
        """The fitted retention curve with the observed shares beside it."""
        return self.model.retention_curve(periods, self.lifetimes)

    @property
    def usable(self) -> bool:
        return not self.problems

    def note(self, language: str = "es") -> str:
        """Why the retention results are not shown ("" when usable)."""
        if self.usable:
            return ""
        reasons = t("clv.problem.join", language).join(
            t(f"clv.retention_problem.{code}", language, n=self.n_contracts)
            for code in self.problems)
        return t("clv.retention_not_shown", language, reasons=reasons)

    def record(self) -> dict:
        out = {"usable": self.usable, "problems": list(self.problems),
               "n_contracts": self.n_contracts}
        if self.model is not None:
            out["params"] = {k: float(v) for k, v in self.model.params_.items()}
        if self.check is not None:
            out["holdout"] = {k: (None if isinstance(v, float) and not np.isfinite(v) else v)
                              for k, v in self.check.items()}
        return out

    def headline(self, language: str = "es", *, discount_rate: float = 0.0) -> str:
        """Survival after one and two years, how retention rises, and the DERL of a new customer."""
        m = self.model
        months = PERIOD_MONTHS[m.period]
        year = 12 // months
        s1, s2 = m.survival([year, 2 * year])
        r1, r12 = m.retention_rate([1, year])
        derl = float(m.expected_residual_lifetime(1, discount_rate=discount_rate))
        return t("clv.retention.headline", language,
                 s1=format_count(round(100 * s1), language),
                 s2=format_count(round(100 * s2), language),
                 r1=format_percent(r1, language, decimals=1),
                 r12=format_percent(r12, language, decimals=1),
                 derl=format_number(derl * months, language, decimals=1),
                 rate=format_percent(discount_rate, language))


def fit_retention(contracts: pd.DataFrame | None, *, as_of, period: str = "M",
                  holdout_months: int = 12, min_contracts: int = 30,
                  bounds: tuple = (1e-4, 1e4), tolerance: float = 0.20) -> RetentionFit:
    """Fit the sBG on a client's contracts and check it on the last ``holdout_months``.

    Never raises for data the model cannot fit; the reason is in ``problems``.
    A contracts table that breaks its contract (an end before the start ...)
    still raises :class:`~crmlib.exceptions.DataError`.
    """
    if contracts is None or len(contracts) == 0:
        return RetentionFit(None, None, None, ("no_contracts",), 0)
    as_of = pd.Timestamp(as_of).normalize()
    lifetimes = subscription_lifetimes(contracts, as_of=as_of, period=period)
    n = len(lifetimes)
    problems = []
    if n < min_contracts:
        problems.append("too_few_contracts")
    if not lifetimes["churned"].any():
        return RetentionFit(None, None, None, tuple(problems) + ("no_cancellations",), n)
    try:
        model = ShiftedBetaGeoModel(period=period).fit(lifetimes)
    except DataError:
        return RetentionFit(None, None, None, tuple(problems) + ("sbg_failed",), n)
    values = model.params_.to_numpy(dtype=float)
    if (values < bounds[0]).any() or (values > bounds[1]).any():
        problems.append("sbg_at_bound")
    cal_end = (as_of - pd.DateOffset(months=int(holdout_months))).normalize()
    table = check = None
    empty = pd.DataFrame({c: pd.Series(dtype=float) for c in
                          ("tenure_years", "n_customers", "actual", "expected", "difference")})
    try:
        held = retention_holdout(contracts, calibration_end=cal_end, observation_end=as_of,
                                 period=period)
        if held["churned"].any() and held["active_at_calibration"].any():
            early = ShiftedBetaGeoModel(period=period).fit(held)
            table = retention_holdout_table(early, held)
            check = holdout_check(table, tolerance=tolerance)
    except DataError:
        table = check = None
    return RetentionFit(model, empty if table is None else table, check, tuple(problems), n,
                        cal_end.date().isoformat(), lifetimes)


def contract_values(model: ShiftedBetaGeoModel, contracts: pd.DataFrame, *, as_of,
                    discount_rate: float = 0.10) -> pd.DataFrame:
    """What each active contract is still worth: its fee times its discounted expected
    residual lifetime (DERL, Fader & Hardie 2010), summed per customer.

    Parameters
    ----------
    model : ShiftedBetaGeoModel
        Fitted retention model (:attr:`RetentionFit.model`).
    contracts : DataFrame
        ``customer_id``, ``started_at``, ``ended_at`` and, for a value in money,
        ``monthly_fee`` (:attr:`ModelChoice.contracts`).
    as_of : date-like
        Valuation date: contracts active then are valued; each has paid one period more
        than the renewals it has made.
    discount_rate : float, default 0.10
        Annual discount rate (converted to the model's period). At 0 with the model's
        ``alpha <= 1`` the expected residual lifetime is unbounded: values are NaN and
        ``attrs["unbounded"]`` is True.

    Returns
    -------
    DataFrame
        One row per customer with an active contract, by ``residual_value`` (or by
        ``expected_months`` without fees) descending: ``customer_id``, ``n_contracts``,
        ``months_paid`` (of the oldest contract), ``expected_months`` (discounted months
        still to be paid, summed over contracts), ``monthly_fee`` (summed) and
        ``residual_value`` (fee times expected months; empty without a fee).
        ``attrs``: ``n_active``, ``total_value`` (NaN without fees), ``discount_rate``,
        ``unbounded``.
    """
    if not (np.isfinite(discount_rate) and discount_rate >= 0):
        raise ParameterError(f"discount_rate must be >= 0; got {discount_rate!r}",
                             parameter="discount_rate", allowed=">= 0", value=discount_rate)
    as_of = pd.Timestamp(as_of).normalize()
    c = contracts.reset_index(drop=True)
    start = pd.to_datetime(c["started_at"], errors="coerce")
    c = c[(start <= as_of).to_numpy()].reset_index(drop=True)
    lifetimes = subscription_lifetimes(c, as_of=as_of, period=model.period)
    active = ~lifetimes["churned"].to_numpy()
    months = PERIOD_MONTHS[model.period]
    paid = lifetimes["periods"].to_numpy()[active] + 1
    derl = np.asarray(model.expected_residual_lifetime(paid, discount_rate=discount_rate),
                      dtype=float)
    # undiscounted, a base with alpha <= 1 has an unbounded expected residual lifetime:
    # no finite value to show (the sentence says so and asks for a discount rate)
    unbounded = bool(np.isinf(derl).any())
    derl = np.where(np.isfinite(derl), derl, np.nan)
    has_fee = "monthly_fee" in c
    fee = pd.to_numeric(c["monthly_fee"], errors="coerce").to_numpy()[active] if has_fee \
        else np.full(int(active.sum()), np.nan)
    per = pd.DataFrame({"customer_id": c.loc[active, "customer_id"].astype(str).to_numpy(),
                        "months_paid": paid * months, "expected_months": derl * months,
                        "monthly_fee": fee})
    per["residual_value"] = per["monthly_fee"] * per["expected_months"]
    g = per.groupby("customer_id", sort=False)
    out = pd.DataFrame({"n_contracts": g.size(), "months_paid": g["months_paid"].max(),
                        "expected_months": g["expected_months"].sum(),
                        "monthly_fee": g["monthly_fee"].sum(min_count=1),
                        "residual_value": g["residual_value"].sum(min_count=1)})
    out = out.rename_axis("customer_id").reset_index()
    key = "residual_value" if has_fee else "expected_months"
    out = out.sort_values([key, "customer_id"], ascending=[False, True],
                          kind="mergesort").reset_index(drop=True)
    out.attrs.update(n_active=int(active.sum()),
                     total_value=float(per["residual_value"].sum(min_count=1)),
                     discount_rate=float(discount_rate), unbounded=unbounded)
    return out


def contract_value_summary(values: pd.DataFrame) -> pd.Series:
    """Key figures of :func:`contract_values`: ``n_active``, ``n_customers``,
    ``total_value`` (NaN without fees or when unbounded), ``mean_expected_months``
    (per active contract), ``top10_share`` (of the total held by the 10 % of customers
    with the highest residual value), ``discount_rate``."""
    n = int(values.attrs.get("n_active", len(values)))
    total = float(values.attrs.get("total_value", np.nan))
    top = max(1, int(np.ceil(0.10 * len(values))))
    share = (float(values["residual_value"].head(top).sum()) / total
             if np.isfinite(total) and total > 0 else np.nan)
    months = float(values["expected_months"].sum()) / n if n else np.nan
    return pd.Series({"n_active": n, "n_customers": len(values), "total_value": total,
                      "mean_expected_months": months, "top10_share": share,
                      "discount_rate": float(values.attrs.get("discount_rate", np.nan))})


def contract_value_sentence(values: pd.DataFrame, language: str = "es", *,
                            currency: str | None = None,
                            fee_from_billing: bool = False) -> str:
    """The residual value of the contract base in one or two sentences; with
    ``fee_from_billing`` (contracts read off billing) it adds how the fee was read."""
    text = _contract_value_text(values, language, currency)
    if fee_from_billing and len(values):
        text += " " + t("clv.contract_value.billing_fee", language)
    return text


def _contract_value_text(values: pd.DataFrame, language: str, currency: str | None) -> str:
    fig = contract_value_summary(values)
    n = format_count(int(fig["n_active"]), language)
    rate = format_percent(fig["discount_rate"], language)
    if fig["n_active"] == 0:
        return t("clv.contract_value.none", language)
    if values.attrs.get("unbounded"):
        return t("clv.contract_value.unbounded", language, n=n)
    months = format_number(fig["mean_expected_months"], language, decimals=1)
    if not np.isfinite(fig["total_value"]):
        return t("clv.contract_value.no_fee", language, n=n, months=months, rate=rate)
    share = fig["top10_share"] if np.isfinite(fig["top10_share"]) else 0.0
    return t("clv.contract_value.headline", language, n=n,
             total=format_currency(fig["total_value"], language, currency=currency),
             months=months, rate=rate, share=format_percent(share, language))


def holdout_sentence(check: dict | None, model: str, language: str = "es") -> str:
    """The holdout verdict in words: expected against actual, and whether the fit is good
    (followed by a note that the threshold is the workbook's, not the method's)."""
    if check is None or check.get("verdict") == "no_data":
        return t("clv.holdout.no_data", language, model=model)
    note = t("clv.holdout.tolerance_note", language,
             tolerance=format_percent(check["tolerance"], language))
    return t(f"clv.holdout.{check['verdict']}", language, model=model,
             expected=format_number(check["expected"], language, decimals=0),
             actual=format_number(check["actual"], language, decimals=0),
             error=format_percent(check["relative_error"], language, decimals=1, signed=True),
             tolerance=format_percent(check["tolerance"], language)) + " " + note
