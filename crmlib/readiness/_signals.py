"""The nine timely signals (señales oportunas) of the one-to-one method.

Source 004 ends the readiness questionnaire with nine questions Peppers proposes for
reflection: whether one person should own each customer's relationship across divisions,
whether to change key-account selling, to standardise customer data, to invest in a data
mart or warehouse, to automate the sales force, to keep one sales force per division, to
join up websites and call centres, to add services to what is sold, and to invest in mass
customisation. The instrument asks each as a statement, current and preferred scenario,
like every other item; :func:`timely_signals` reads them one by one. They are never
averaged into the readiness score or the maturity level.

Reading each signal is the workbook's own rule, not the method's: a signal is *timely*
(a decision to take now) when the preferred scenario exceeds the current one by at least
``threshold`` points, judged on the figures as the report shows them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.exceptions import ParameterError
from crmlib.i18n import check_language
from crmlib.readiness._maturity import SCORE_DECIMALS, shown_score
from crmlib.readiness._responses import _instrument, _prepare
from crmlib.readiness._scores import _items

SIGNALS_SECTION = "signals"


def timely_signals(responses: pd.DataFrame, *, instrument="one-to-one",
                   min_answered: float = 0.5, threshold: float = 1.0) -> pd.DataFrame:
    """The timely signals, one row each, largest gap first.

    Parameters
    ----------
    responses : DataFrame
        Contract ``readiness_responses``.
    instrument : str, path or Instrument
    min_answered : float, default 0.5
        See :func:`response_overview`.
    threshold : float, default 1.0
        Gap (preferred - current, scale points) from which a signal is timely. The
        gap is compared as shown (:data:`SCORE_DECIMALS` decimals), so a gap printed
        "1,00" is always timely at the default.

    Returns
    -------
    DataFrame
        ``item_id``, ``n_answers`` (current answers), ``current``, ``preferred``,
        ``gap``, ``timely`` (bool); ordered by gap (largest first, unanswered last),
        then questionnaire order. Empty when the instrument has no ``signals`` section.
    """
    if not threshold > 0:
        raise ParameterError(f"threshold must be a positive number of scale points; got "
                             f"{threshold!r}", parameter="threshold", allowed="> 0",
                             value=threshold)
    inst, used, overview = _prepare(responses, instrument, min_answered)
    items = _items(inst, used, int(overview["included"].sum()))
    sig = items[items["section"] == SIGNALS_SECTION].copy()
    sig["_o"] = range(len(sig))
    sig["timely"] = [bool(not np.isnan(g) and g >= shown_score(threshold))
                     for g in sig["gap"].map(shown_score)]
    sig["_g"] = sig["gap"].fillna(-np.inf)
    sig = sig.sort_values(["_g", "_o"], ascending=[False, True], kind="stable")
    return sig.rename(columns={"n_current": "n_answers"})[
        ["item_id", "n_answers", "current", "preferred", "gap", "timely"]].reset_index(drop=True)


def signals_text(signals: pd.DataFrame, *, instrument="one-to-one", language: str = "es",
                 threshold: float = 1.0) -> str:
    """Sentences on the timely signals: how many call for a decision now (the table of
    :func:`timely_signals` shows which) and that the reading rule is the workbook's own."""
    from crmlib.i18n import t

    check_language(language)
    _instrument(instrument)
    if signals.empty:
        return t("readiness.signals.none_asked", language)
    if int(signals["n_answers"].sum()) == 0:
        return t("readiness.signals.no_answers", language, n=len(signals))
    rule = t("readiness.signals.rule", language, threshold=shown_score(threshold),
             decimals=SCORE_DECIMALS)
    timely = signals[signals["timely"]]
    if timely.empty:
        return t("readiness.signals.none_timely", language, n=len(signals)) + " " + rule
    return t("readiness.signals.timely", language, n_timely=len(timely), n=len(signals)) + \
        " " + rule
