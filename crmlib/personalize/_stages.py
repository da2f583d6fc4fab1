"""The relationship ladder: contact, relate, intimate, trust.

Source 004 adds *intimate* and *trust* to the usual *contact* and *relate*: a
company only keeps its customers once they reach intimacy and trust.
:func:`relationship_stages` places each customer on the ladder from tenure,
purchase frequency, contacts and satisfaction, and says what is missing to
climb; :func:`stage_summary` counts customers and value per stage.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.exceptions import DataError, DataProblem, ParameterError
from crmlib.i18n import check_language, format_count, format_number, t

RELATIONSHIP_STAGES = ("contact", "relate", "intimate", "trust")


DEFAULT_STAGE_RULES = {
    "relate": {"n_purchases": 2},
    "intimate": {"tenure_days": 365, "n_purchases": 6, "n_contacts": 1},
    "trust": {"tenure_days": 730, "n_purchases": 12, "n_contacts": 1, "satisfaction": 6.0},
}


def relationship_stages(customers: pd.DataFrame, *, thresholds: dict | None = None,
                        language: str = "es") -> pd.DataFrame:
    """Place each customer on the ladder contact, relate, intimate, trust.

    Source 004 adds *intimate* and *trust* to the usual *contact* and
    *relate*: a company only holds a portfolio of customers once they reach
    intimacy and trust. The stages are cumulative, each needing every
    condition of the one before:

    * **contact** — known to the company, at most one purchase;
    * **relate** — a repeat buyer (``n_purchases`` >= 2);
    * **intimate** — a customer for a year (``tenure_days`` >= 365), buying
      regularly (>= 6 purchase days) and talking to the company (>= 1 contact
      in the last year), and no complaint open;
    * **trust** — two years or more, >= 12 purchase days, no complaint open
      and, when a ``satisfaction`` score is known (1-7 scale), at least 6.

    Parameters
    ----------
    customers : DataFrame
        ``customer_id``, ``n_purchases`` and a tenure column: ``tenure_days``
        or ``days_since_first`` (as :func:`crmlib.differentiate.lifecycle_table`
        names it); optionally ``n_contacts``, ``n_open_complaints`` and
        ``satisfaction``. Missing counts are taken as zero.
    thresholds : dict, optional
        Overrides of :data:`DEFAULT_STAGE_RULES`, e.g.
        ``{"trust": {"tenure_days": 1095}}``.
    language : {"es", "en"}, default "es"
        Language of ``next_stage_gap``.

    Returns
    -------
    DataFrame
        ``customer_id``, ``tenure_days``, ``n_purchases``, ``n_contacts``,
        ``n_open_complaints``, ``satisfaction``, ``relationship_stage``
        (ordered categorical), ``next_stage_gap`` (what is missing to climb one
        stage, in words of ``language``, e.g. "at least 6 purchase days, no
        open complaint"; empty at trust); input order.
    """
    check_language(language)
    rules = {k: dict(v) for k, v in DEFAULT_STAGE_RULES.items()}
    for stage, over in (thresholds or {}).items():
        if stage not in rules or not isinstance(over, dict) or set(over) - set(rules[stage]):
            raise ParameterError(
                f"thresholds must look like {DEFAULT_STAGE_RULES}; got {thresholds!r}",
                parameter="thresholds", allowed=DEFAULT_STAGE_RULES, value=thresholds)
        rules[stage].update(over)
    df = customers.reset_index(drop=True)
    tenure_col = "tenure_days" if "tenure_days" in df else "days_since_first"
    need = [c for c in ("customer_id", "n_purchases", tenure_col) if c not in df.columns]
    if need:
        raise DataError([DataProblem("customers", c, "is required but missing") for c in need])

    def num(col):
        return pd.to_numeric(df[col], errors="coerce").fillna(0.0) if col in df else \
            pd.Series(0.0, index=df.index)

    tenure, n_p, n_c, n_open = (num(tenure_col), num("n_purchases"), num("n_contacts"),
                                num("n_open_complaints"))
    sat = pd.to_numeric(df["satisfaction"], errors="coerce") if "satisfaction" in df else \
        pd.Series(np.nan, index=df.index)
    r, i, tr = rules["relate"], rules["intimate"], rules["trust"]
    relate = n_p >= r["n_purchases"]
    intimate = relate & (tenure >= i["tenure_days"]) & (n_p >= i["n_purchases"]) & (
        n_c >= i["n_contacts"]) & (n_open == 0)
    trust = intimate & (tenure >= tr["tenure_days"]) & (n_p >= tr["n_purchases"]) & (
        n_c >= tr["n_contacts"]) & (sat.isna() | (sat >= tr["satisfaction"]))
    level = relate.astype(int) + intimate.astype(int) + trust.astype(int)
    stage = pd.Categorical.from_codes(level.to_numpy(), categories=list(RELATIONSHIP_STAGES),
                                      ordered=True)

    def gap(k):
        if k == 3:
            return ""
        nxt = RELATIONSHIP_STAGES[k + 1]
        req = rules[nxt]
        have = {"n_purchases": n_p, "tenure_days": tenure, "n_contacts": n_c}
        return req, have, nxt

    def need(col, limit):
        """The condition ``col >= limit`` in the reader's words."""
        if col == "satisfaction":
            return t("personalize.stage_gap.satisfaction", language,
                     n=format_number(limit, language, decimals=1, trim=True))
        form = "one" if limit == 1 else "other"
        return t(f"personalize.stage_gap.{col}.{form}", language, n=format_count(limit, language))

    gaps = np.full(len(df), "", dtype=object)
    for k in range(3):
        idx = np.flatnonzero(level.to_numpy() == k)
        if not len(idx):
            continue
        req, have, nxt = gap(k)
        parts = []
        for col, limit in req.items():
            if col in have:
                short = have[col].to_numpy()[idx] < limit
                parts.append(np.where(short, need(col, limit), ""))
        if k >= 1:
            parts.append(np.where(n_open.to_numpy()[idx] > 0,
                                  t("personalize.stage_gap.no_open_complaint", language), ""))
        if nxt == "trust":
            low = (sat.to_numpy()[idx] < tr["satisfaction"])
            parts.append(np.where(low, need("satisfaction", tr["satisfaction"]), ""))
        joined = [", ".join(p for p in row if p) for row in zip(*parts)] if parts else \
            [""] * len(idx)
        gaps[idx] = joined
    return pd.DataFrame({
        "customer_id": df["customer_id"].to_numpy(),
        "tenure_days": tenure.to_numpy(),
        "n_purchases": n_p.to_numpy(),
        "n_contacts": n_c.to_numpy(),
        "n_open_complaints": n_open.to_numpy(),
        "satisfaction": sat.to_numpy(),
        "relationship_stage": stage,
        "next_stage_gap": gaps,
    })


def stage_summary(stages: pd.DataFrame, customers: pd.DataFrame | None = None, *,
                  language: str = "es") -> pd.DataFrame:
    """Customers per relationship stage, in ladder order.

    Returns
    -------
    DataFrame
        ``relationship_stage``, ``stage_label``, ``n_customers``, ``share`` and,
        when ``customers`` has ``value``, ``value`` and ``value_share``. All
        four stages appear, with zero where empty.
    """
    check_language(language)
    df = stages
    if customers is not None and "value" in customers and "value" not in stages:
        df = stages.merge(customers[["customer_id", "value"]], on="customer_id", how="left")
    key = df["relationship_stage"].astype(str)
    n = key.value_counts().reindex(list(RELATIONSHIP_STAGES), fill_value=0)
    out = pd.DataFrame({"relationship_stage": list(RELATIONSHIP_STAGES),
                        "stage_label": [t(f"personalize.stage.{s}", language)
                                        for s in RELATIONSHIP_STAGES],
                        "n_customers": n.to_numpy(dtype=int)})
    out["share"] = out["n_customers"] / max(int(out["n_customers"].sum()), 1)
    if "value" in df:
        v = df.groupby(key)["value"].sum().reindex(list(RELATIONSHIP_STAGES), fill_value=0.0)
        out["value"] = v.to_numpy(dtype=float)
        total = out["value"].sum()
        out["value_share"] = out["value"] / total if total else np.nan
    return out
