"""Whether the CLV models can be trusted on a client's data.

On a small client the BG/NBD fit can collapse (the drop-out parameters ``a``
and ``b`` run to the edge of the search space, and every one-time buyer comes
out "100 % alive"), and Gamma-Gamma cannot be fitted at all without repeat
buyers. :func:`fit_models` fits both, never raises on such data, and lists
what went wrong so a report states it instead of showing the numbers as
findings.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmlib.clv._bgnbd import BetaGeoModel
from crmlib.clv._gamma_gamma import GammaGammaModel
from crmlib.clv._pareto_nbd import ParetoNBDModel
from crmlib.exceptions import DataError
from crmlib.i18n import t

#: problem codes of :class:`ClvFit`, in the order they are reported
PROBLEMS = ("too_few_customers", "too_few_repeat_buyers", "bgnbd_failed", "bgnbd_at_bound",
            "gamma_gamma_failed", "gamma_gamma_at_bound", "gamma_gamma_no_mean")


@dataclass(frozen=True)
class ClvFit:
    """Both CLV models fitted on one summary, and what makes them unusable.

    Attributes
    ----------
    bgnbd, gamma_gamma : fitted model or None
        None when the model could not be fitted.
    problems : tuple of str
        Codes from :data:`PROBLEMS`; empty when the fit can be reported.
    n_customers, n_repeat_buyers : int
        Customers in the summary, and those with a repeat purchase of positive value.
    pareto_nbd : ParetoNBDModel or None
        The second purchase model, fitted alongside when ``fit_models(...,
        pareto_nbd=True)``; None when not asked for, when it failed, or when
        its fit ran to the edge of the search (it never blocks the BG/NBD results).
    """

    bgnbd: BetaGeoModel | None
    gamma_gamma: GammaGammaModel | None
    problems: tuple
    n_customers: int
    n_repeat_buyers: int
    pareto_nbd: ParetoNBDModel | None = None

    @property
    def usable(self) -> bool:
        """True when both models were fitted and nothing is wrong with them."""
        return not self.problems

    def note(self, language: str = "es") -> str:
        """One sentence for the report: why the CLV results are not shown ("" if usable)."""
        if self.usable:
            return ""
        reasons = t("clv.problem.join", language).join(
            t(f"clv.problem.{code}", language, n=self.n_customers, n_repeat=self.n_repeat_buyers)
            for code in self.problems)
        return t("clv.not_shown", language, reasons=reasons)

    def record(self) -> FitRecord:
        """The dict for ``results.json``: ``usable``, the problem codes and the counts.

        It is for the results store, not for a reader: a notebook cell that ends with
        it shows nothing (the report says what the fit means with :meth:`note`).
        """
        return FitRecord(usable=self.usable, problems=list(self.problems),
                         n_customers=self.n_customers, n_repeat_buyers=self.n_repeat_buyers)


class FitRecord(dict):
    """A plain ``dict`` of machine keys that a notebook does not display.

    ``rec.value("clv_fit", fit.record())`` returns it, and a cell ending with that
    call would otherwise print ``{'usable': True, 'n_customers': ...}`` into the
    client's report.
    """

    def _ipython_display_(self) -> None:
        return None


def _at_bound(params: pd.Series, low: float, high: float) -> bool:
    values = params.to_numpy(dtype=float)
    return bool((~np.isfinite(values)).any() or (values < low).any() or (values > high).any())


def fit_models(summary: pd.DataFrame, *, time_unit: str | None = None, min_customers: int = 30,
               min_repeat_buyers: int = 10, bounds: tuple = (1e-4, 1e4),
               pareto_nbd: bool = False) -> ClvFit:
    """Fit BG/NBD and Gamma-Gamma and say whether the results can be reported.

    Parameters
    ----------
    summary : DataFrame
        Output of :func:`crmlib.differentiate.customer_summary`.
    time_unit : {"D", "W", "M"}, optional
        Passed to :class:`BetaGeoModel`.
    min_customers : int, default 30
        Fewer customers than this: ``too_few_customers``.
    min_repeat_buyers : int, default 10
        Fewer customers with a repeat purchase of positive value than this:
        ``too_few_repeat_buyers`` (Gamma-Gamma describes repeat spend only).
    bounds : (float, float), default (1e-4, 1e4)
        A fitted parameter outside this range has run to the edge of the
        search (the fit collapsed): ``bgnbd_at_bound`` / ``gamma_gamma_at_bound``.
    pareto_nbd : bool, default False
        Also fit the Pareto/NBD model (kept in ``ClvFit.pareto_nbd``).

    Returns
    -------
    ClvFit
        Never raises for data a model cannot fit; the reason is in ``problems``.
        A summary that breaks its contract (negative frequency ...) still raises
        :class:`~crmlib.exceptions.DataError`.
    """
    low, high = bounds
    n = len(summary)
    freq = pd.to_numeric(summary.get("frequency"), errors="coerce") if "frequency" in summary \
        else pd.Series(dtype=float)
    value = pd.to_numeric(summary.get("avg_repeat_value"), errors="coerce") \
        if "avg_repeat_value" in summary else pd.Series(0.0, index=summary.index)
    n_repeat = int(((freq > 0) & (value > 0)).sum())
    problems = []
    if n < min_customers:
        problems.append("too_few_customers")
    if n_repeat < min_repeat_buyers:
        problems.append("too_few_repeat_buyers")
    bgnbd = gamma_gamma = None
    if n == 0:
        problems.append("bgnbd_failed")
    else:
        bgnbd = BetaGeoModel(time_unit=time_unit).fit(summary)
        if _at_bound(bgnbd.params_, low, high):
            problems.append("bgnbd_at_bound")
    try:
        gamma_gamma = GammaGammaModel().fit(summary)
    except DataError:
        if n_repeat >= 3:  # fewer is already said by too_few_repeat_buyers
            problems.append("gamma_gamma_failed")
        elif "too_few_repeat_buyers" not in problems:
            problems.append("too_few_repeat_buyers")
    if gamma_gamma is not None:
        if _at_bound(gamma_gamma.params_, low, high):
            problems.append("gamma_gamma_at_bound")
        elif gamma_gamma.params_["q"] <= 1:
            problems.append("gamma_gamma_no_mean")
    pnbd = None
    if pareto_nbd and n > 0:
        try:
            pnbd = ParetoNBDModel(time_unit=time_unit).fit(summary)
        except DataError:
            pnbd = None
        if pnbd is not None and _at_bound(pnbd.params_, low, high):
            pnbd = None
    order = {code: i for i, code in enumerate(PROBLEMS)}
    return ClvFit(bgnbd, gamma_gamma, tuple(sorted(set(problems), key=order.get)), n, n_repeat,
                  pnbd)
