"""Credit scoring on the four Cs: answers from the client and the ledger, scores, bands.

:func:`ledger_answers` scores the criteria the invoice ledger can answer by
itself, :func:`worksheet_answers` completes the client's own answers with
them, and :func:`score_credit` turns the answers into a score per C, a total
and a decision band.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.collections._aging import _as_of, _invoices
from crmlib.collections._worksheet import _CS, load_worksheet
from crmlib.exceptions import DataError, DataProblem, ParameterError
from crmlib.i18n import check_language, t


def ledger_answers(invoices: pd.DataFrame, *, as_of, customers=None, top: int | None = None,
                   worksheet=None, history_days: int = 365) -> pd.DataFrame:
    """Scores for the criteria the invoice ledger can answer by itself.

    A criterion with ``ledger: on_time_share`` is scored from the share of
    invoices paid by their due date, and ``ledger: avg_days_late`` from the
    mean days late, both over invoices paid in the ``history_days`` before
    ``as_of``, using the thresholds listed in the worksheet (``cuts``: the
    minimum share, or maximum days, for each score from the top down).

    Parameters
    ----------
    invoices : DataFrame
        Contract ``invoices``.
    as_of : date
        Valuation date.
    customers : list of str or DataFrame, optional
        Only these customers (a table needs a ``customer_id`` column), e.g. an
        :func:`aging_table`.
    top : int, optional
        Only the first ``top`` of ``customers`` (the largest balances of an
        aging table).
    worksheet : dict or path, optional
        See :func:`load_worksheet`.

    Returns
    -------
    DataFrame
        Long: ``customer_id``, ``criterion_id``, ``score``, ``basis`` (the
        measured share or days). Customers with no paid invoice in the window
        get no rows.
    """
    ws = load_worksheet(worksheet)
    when = _as_of(as_of)
    inv = _invoices(invoices)
    if top is not None and not (isinstance(top, int) and top >= 1):
        raise ParameterError(f"top must be a whole number >= 1; got {top!r}", parameter="top",
                             allowed=">= 1", value=top)
    if customers is not None:
        ids = list(customers["customer_id"] if isinstance(customers, pd.DataFrame)
                   else customers)
        ids = ids[:top] if top else ids
        inv = inv[inv["customer_id"].isin(set(ids))]
    paid = inv[inv["paid_at"].notna() & (inv["paid_at"] <= when)
               & (inv["paid_at"] > when - pd.Timedelta(days=history_days))]
    late = (paid["paid_at"].dt.normalize() - paid["due_at"].dt.normalize()).dt.days
    per = paid.assign(_on_time=late <= 0, _late=late.clip(lower=0)).groupby("customer_id").agg(
        on_time_share=("_on_time", "mean"), avg_days_late=("_late", "mean"))
    rows = []
    for c in ws["criteria"]:
        kind = c.get("ledger")
        if not kind:
            continue
        if kind not in per.columns:
            raise ParameterError(f"criterion {c['id']!r}: ledger must be one of "
                                 f"{list(per.columns)}; got {kind!r}", parameter="worksheet",
                                 value=kind)
        cuts = c["cuts"]  # list of [score, threshold], best score first
        basis = per[kind]
        score = pd.Series(float(ws["scale"]["min"]), index=per.index)
        for s, limit in reversed(cuts):
            hit = basis >= limit if kind == "on_time_share" else basis <= limit
            score = score.where(~hit, float(s))
        rows.append(pd.DataFrame({"customer_id": per.index, "criterion_id": c["id"],
                                  "score": score.to_numpy(), "basis": basis.to_numpy()}))
    if not rows:
        return pd.DataFrame(columns=["customer_id", "criterion_id", "score", "basis"])
    return pd.concat(rows, ignore_index=True).sort_values(
        ["customer_id", "criterion_id"]).reset_index(drop=True)


def worksheet_answers(invoices: pd.DataFrame, *, as_of, answers: pd.DataFrame | None = None,
                      customers=None, top: int | None = None, worksheet=None,
                      history_days: int = 365) -> pd.DataFrame:
    """The worksheet answers to score: the client's own, completed from the ledger.

    Without ``answers`` (no ``credit_answers`` file) this is
    :func:`ledger_answers` for ``customers`` (the first ``top`` of them). With
    ``answers`` the customers assessed are those in ``answers``, in their
    order, and every criterion they answer keeps that score; criteria they
    leave empty or out are filled in from the ledger where the ledger can
    score them. ``customers`` and ``top`` are then not used.

    Parameters
    ----------
    invoices : DataFrame
        Contract ``invoices``.
    as_of : date
        Valuation date.
    answers : DataFrame, optional
        Contract ``credit_answers``: ``customer_id``, ``criterion_id``,
        ``score`` (empty while unanswered) and optionally ``note``.
    customers, top, worksheet, history_days
        As :func:`ledger_answers`.

    Returns
    -------
    DataFrame
        Long, one row per customer and answered criterion, by customer (in
        the order given) then worksheet order: ``customer_id``,
        ``criterion_id``, ``score``, ``source`` (``answers`` or ``ledger``),
        ``basis`` (the ledger's measured share or days; empty for answers),
        ``note`` (the answer's comment; empty for the ledger). Pass it to
        :func:`score_credit`.

    Raises
    ------
    DataError
        ``answers`` lacking ``customer_id``, ``criterion_id`` or ``score``.
    """
    ws = load_worksheet(worksheet)
    cols = ["customer_id", "criterion_id", "score", "source", "basis", "note"]
    if answers is None:
        led = ledger_answers(invoices, as_of=as_of, customers=customers, top=top,
                             worksheet=ws, history_days=history_days)
        if customers is not None:
            ids = list(customers["customer_id"] if isinstance(customers, pd.DataFrame)
                       else customers)
            ids = ids[:top] if top else ids
        else:
            ids = list(dict.fromkeys(led["customer_id"]))
        given = pd.DataFrame(columns=["customer_id", "criterion_id", "score", "note"])
    else:
        need = [c for c in ("customer_id", "criterion_id", "score") if c not in answers.columns]
        if need:
            raise DataError([DataProblem("credit_answers", c, "is required but missing")
                             for c in need])
        ids = list(dict.fromkeys(answers["customer_id"]))
        led = ledger_answers(invoices, as_of=as_of, customers=ids, worksheet=ws,
                             history_days=history_days)
        given = answers.assign(
            note=answers["note"] if "note" in answers.columns else np.nan)
        given = given[given["score"].notna()][["customer_id", "criterion_id", "score", "note"]]
    given = given.assign(source="answers", basis=np.nan)
    have = pd.MultiIndex.from_frame(given[["customer_id", "criterion_id"]].astype(object))
    key = pd.MultiIndex.from_frame(led[["customer_id", "criterion_id"]].astype(object))
    led = led[~key.isin(have)].assign(source="ledger", note=np.nan)
    out = pd.concat([given[cols].astype(object), led[cols].astype(object)], ignore_index=True)
    order = {c["id"]: i for i, c in enumerate(ws["criteria"])}
    rank = {cid: i for i, cid in enumerate(ids)}
    out = out.assign(_c=out["customer_id"].map(rank), _k=out["criterion_id"].map(order))
    out = out.sort_values(["_c", "_k", "criterion_id"], kind="stable", na_position="last")
    out = out[cols].reset_index(drop=True)
    out["score"] = pd.to_numeric(out["score"], errors="coerce") if len(out) else \
        out["score"].astype(float)
    out["basis"] = out["basis"].astype(float)
    for c in ("customer_id", "criterion_id", "source"):
        out[c] = out[c].astype("str")
    out["note"] = out["note"].astype("str").where(out["note"].notna())
    out.attrs["from_answers"] = answers is not None
    return out


def credit_note(answers: pd.DataFrame, *, language: str = "es") -> str:
    """One sentence: how many customers and criteria were scored from the
    client's answers and how many from the ledger (:func:`worksheet_answers`;
    a table made from an answers file says so even when the file holds no
    score yet)."""
    check_language(language)
    n_answers = int((answers["source"] == "answers").sum())
    n_ledger = int((answers["source"] == "ledger").sum())
    n = int(answers["customer_id"].nunique())
    from_file = answers.attrs.get("from_answers", n_answers > 0)
    key = "collections.credit_note.answers" if from_file else "collections.credit_note.ledger"
    return t(key, language, n=n, n_answers=n_answers, n_ledger=n_ledger)


def score_credit(answers: pd.DataFrame, worksheet=None, *, missing: str = "error",
                 language: str = "es") -> pd.DataFrame:
    """Score credit applicants on the four Cs and place them in a decision band.

    Each criterion is answered on the worksheet's scale (1-5 by default) and
    rescaled to 0-100; a C's score is the weighted mean of its criteria and the
    total the weighted mean of the four Cs (``c_weights``). The total falls in
    the first band whose ``min`` it reaches.

    Parameters
    ----------
    answers : DataFrame
        Long: ``customer_id``, ``criterion_id``, ``score``.
    worksheet : dict or path, optional
        See :func:`load_worksheet`.
    missing : {"error", "partial"}, default "error"
        ``error``: a customer lacking any criterion is a :class:`DataError`
        naming them. ``partial``: each C is scored on the criteria answered;
        a C with none leaves ``total`` empty and ``decision`` ``incomplete``.
    language : {"es", "en"}
        Language of ``decision_label``.

    Returns
    -------
    DataFrame
        One row per customer, by ``total`` descending then ``customer_id``:
        ``customer_id``, ``capacity``, ``character``, ``capital``,
        ``conditions`` (0-100), ``total`` (0-100), ``decision`` (band key, e.g.
        ``approve``/``review``/``decline``, or ``incomplete``),
        ``decision_label``, ``n_answered``, ``n_criteria``.

    Raises
    ------
    DataError
        Unknown criteria, scores off the scale or (with ``missing="error"``)
        unanswered criteria, naming customers and criteria.
    """
    if missing not in ("error", "partial"):
        raise ParameterError(f"missing must be one of ['error', 'partial']; got {missing!r}",
                             parameter="missing", allowed=("error", "partial"), value=missing)
    check_language(language)
    ws = load_worksheet(worksheet)
    need = [c for c in ("customer_id", "criterion_id", "score") if c not in answers.columns]
    if need:
        raise DataError([DataProblem("credit_answers", c, "is required but missing")
                         for c in need])
    crit = pd.DataFrame(ws["criteria"])[["id", "c", "weight"]].rename(
        columns={"id": "criterion_id"})
    lo, hi = float(ws["scale"]["min"]), float(ws["scale"]["max"])
    a = answers.reset_index(drop=True)
    score = pd.to_numeric(a["score"], errors="coerce")
    problems = []
    unknown = ~a["criterion_id"].isin(set(crit["criterion_id"]))
    if unknown.any():
        problems.append(DataProblem("credit_answers", "criterion_id", "is not in the worksheet",
                                    int(unknown.sum()), len(a),
                                    tuple(a.loc[unknown, "criterion_id"].head(3).items())))
    off = score.notna() & ((score < lo) | (score > hi))
    bad_text = score.isna() & a["score"].notna()
    if (off | bad_text).any():
        mask = off | bad_text
        problems.append(DataProblem("credit_answers", "score",
                                    f"is not a number from {lo:g} to {hi:g}", int(mask.sum()),
                                    len(a), tuple(a.loc[mask, "score"].head(3).items())))
    dup = a.duplicated(["customer_id", "criterion_id"], keep=False)
    if dup.any():
        problems.append(DataProblem("credit_answers", "criterion_id",
                                    "is answered twice for the same customer", int(dup.sum()),
                                    len(a), tuple(a.loc[dup, "criterion_id"].head(3).items())))
    a = a.assign(score=score)[~unknown & score.notna()]
    ids = list(dict.fromkeys(answers["customer_id"]))
    if not ids:
        return pd.DataFrame(columns=["customer_id", *_CS, "total", "decision", "decision_label",
                                     "n_answered", "n_criteria"])
    grid = pd.DataFrame({"customer_id": np.repeat(ids, len(crit)),
                         "criterion_id": np.tile(crit["criterion_id"].to_numpy(), len(ids))})
    grid = grid.merge(crit, on="criterion_id").merge(
        a[["customer_id", "criterion_id", "score"]], on=["customer_id", "criterion_id"],
        how="left")
    gaps = grid[grid["score"].isna()]
    if missing == "error" and len(gaps):
        per = gaps.groupby("customer_id", sort=False)["criterion_id"].agg(list)
        first, crits = next(iter(per.items()))
        examples = tuple((cid, f"{len(v)} missing") for cid, v in list(per.items())[:3])
        problems.append(DataProblem("credit_answers", "criterion_id",
                                    f"is unanswered for {len(per)} customer(s); customer "
                                    f"{first} lacks {', '.join(crits)}", len(gaps), len(grid),
                                    examples, location_kind="customer"))
    if problems:
        raise DataError(problems)
    grid["points"] = (grid["score"] - lo) / (hi - lo) * 100.0
    grid["w"] = grid["weight"].where(grid["score"].notna(), 0.0)
    grid["wp"] = grid["points"].fillna(0.0) * grid["w"]
    per_c = grid.groupby(["customer_id", "c"], sort=False)[["wp", "w"]].sum()
    c_scores = (per_c["wp"] / per_c["w"].where(per_c["w"] > 0)).unstack("c").reindex(
        columns=list(_CS))
    cw = pd.Series(ws["c_weights"]).reindex(list(_CS))
    total = (c_scores * cw).sum(axis=1, min_count=4)
    total = total.where(c_scores.notna().all(axis=1))
    out = c_scores.reindex(ids)
    out.columns.name = None
    out["total"] = total.reindex(ids)
    bands = ws["bands"]

    def band(x):
        if pd.isna(x):
            return "incomplete"
        for b in bands:
            if x >= b["min"]:
                return b["decision"]
        return bands[-1]["decision"]

    out["decision"] = out["total"].map(band).astype(object)
    out["decision_label"] = out["decision"].map(
        lambda d: t(f"collections.decision.{d}", language)
        if f"collections.decision.{d}" in _catalog_keys() else d)
    counts = grid.groupby("customer_id", sort=False)["score"].agg(["count", "size"])
    out["n_answered"] = counts["count"].reindex(ids).astype(int).to_numpy()
    out["n_criteria"] = counts["size"].reindex(ids).astype(int).to_numpy()
    out = out.rename_axis("customer_id").reset_index()
    return out.sort_values(["total", "customer_id"], ascending=[False, True],
                           na_position="last", kind="stable").reset_index(drop=True)


def _catalog_keys():
    from crmlib.i18n import catalog

    return catalog()
