"""Respondent groups (managers, employees, customers, partners): dimension scores within
each group (:func:`group_scores`) and where groups disagree (:func:`consensus`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.exceptions import ParameterError, check_choice
from crmlib.instruments import Instrument
from crmlib.readiness._maturity import shown_score
from crmlib.readiness._responses import _PARTS, GROUPS, _prepare
from crmlib.readiness._scores import _areas, _respondent_dims, _scored_info


def group_scores(responses: pd.DataFrame, *, instrument="one-to-one",
                 min_answered: float = 0.5) -> pd.DataFrame:
    """Dimension scores computed within each respondent group.

    Returns
    -------
    DataFrame
        One row per group (in :data:`GROUPS` order, groups with respondents only)
        and dimension: ``group``, ``dimension``, ``section``, ``n_respondents``,
        ``n_answers``, ``current``, ``preferred``, ``gap`` -- scored exactly as
        :func:`area_scores` but on that group's respondents.
    """
    inst, used, _ = _prepare(responses, instrument, min_answered)
    return _groups(inst, used)


def _groups(inst: Instrument, used: pd.DataFrame) -> pd.DataFrame:
    frames = []
    for group in GROUPS:
        d = used[used["group"] == group]
        if d.empty:
            continue
        a = _areas(inst, d, d["respondent_id"].nunique())
        a.insert(0, "group", group)
        frames.append(a[["group", "dimension", "section", "n_respondents", "n_answers",
                         "current", "preferred", "gap"]])
    if not frames:
        return pd.DataFrame(columns=["group", "dimension", "section", "n_respondents",
                                     "n_answers", "current", "preferred", "gap"])
    return pd.concat(frames, ignore_index=True)


def consensus(responses: pd.DataFrame, *, instrument="one-to-one", part: str = "current",
              threshold: float = 1.0, alpha: float | None = 0.05,
              min_answered: float = 0.5) -> pd.DataFrame:
    """Agreement within the company and disagreement between groups, per dimension.

    Each scored respondent gets one score per dimension (the weighted mean of the
    items they answered). Within: standard deviation and interquartile range of
    those scores. Between: the range of the group scores of :func:`group_scores`
    and a Kruskal-Wallis test of the respondent scores across groups
    (``scipy.stats.kruskal``; needs two groups with answers and some spread).

    Parameters
    ----------
    part : {"current", "preferred"}
    threshold : float, default 1.0
        A range of group scores at or above this many scale points flags disagreement
        (the range as shown, with :data:`SCORE_DECIMALS` decimals).
    alpha : float or None, default 0.05
        A Kruskal-Wallis p-value below ``alpha`` also flags it; ``None`` uses the
        range only.

    Returns
    -------
    DataFrame
        One row per dimension: ``dimension``, ``section``, ``n_respondents``,
        ``sd``, ``iqr``, ``n_groups`` (groups with answers), ``lowest_group``,
        ``low``, ``highest_group``, ``high``, ``group_range`` (high - low),
        ``kruskal_h``, ``kruskal_p`` (``NaN`` when the test cannot run),
        ``disagreement`` (bool).
    """
    from scipy import stats

    check_choice("part", part, _PARTS)
    if not threshold > 0:
        raise ParameterError(f"threshold must be a positive number of scale points; got "
                             f"{threshold!r}", parameter="threshold", allowed="> 0",
                             value=threshold)
    if alpha is not None and not 0 < alpha < 1:
        raise ParameterError(f"alpha must be between 0 and 1 or None; got {alpha!r}",
                             parameter="alpha", allowed="0 < alpha < 1 or None", value=alpha)
    inst, used, _ = _prepare(responses, instrument, min_answered)
    info = _scored_info(inst)
    per = _respondent_dims(used)
    grp = _groups(inst, used)
    rows = []
    for _, d in info.iterrows():
        dim = d["dimension"]
        vals = per.loc[per["dimension"] == dim, ["group", part]].dropna()
        gs = grp[(grp["dimension"] == dim)].dropna(subset=[part])
        gs = gs.assign(_o=gs["group"].map({g: i for i, g in enumerate(GROUPS)}))
        row = {"dimension": dim, "section": d["section"], "n_respondents": len(vals),
               "sd": vals[part].std(ddof=1) if len(vals) > 1 else np.nan,
               "iqr": (vals[part].quantile(0.75) - vals[part].quantile(0.25))
               if len(vals) else np.nan,
               "n_groups": len(gs)}
        if len(gs):
            lo = gs.sort_values([part, "_o"], kind="stable").iloc[0]
            hi = gs.sort_values([part, "_o"], ascending=[False, True], kind="stable").iloc[0]
            row.update(lowest_group=lo["group"], low=lo[part], highest_group=hi["group"],
                       high=hi[part], group_range=hi[part] - lo[part])
        else:
            row.update(lowest_group=None, low=np.nan, highest_group=None, high=np.nan,
                       group_range=np.nan)
        samples = [v[part].to_numpy() for _, v in vals.groupby("group")]
        h = p = np.nan
        if len(samples) >= 2 and vals[part].nunique() > 1:
            try:
                h, p = stats.kruskal(*samples)
            except ValueError:
                pass
        row.update(kruskal_h=float(h), kruskal_p=float(p))
        # judged on the range as shown, so a range printed "1,00" is flagged at 1.0
        flag = bool(row["n_groups"] >= 2
                    and shown_score(row["group_range"]) >= shown_score(threshold))
        if alpha is not None and not np.isnan(p):
            flag = flag or bool(p < alpha)
        row["disagreement"] = flag
        rows.append(row)
    return pd.DataFrame(rows, columns=["dimension", "section", "n_respondents", "sd", "iqr",
                                       "n_groups", "lowest_group", "low", "highest_group",
                                       "high", "group_range", "kruskal_h", "kruskal_p",
                                       "disagreement"])
