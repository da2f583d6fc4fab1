"""The dunning sequence: which collection letter each customer gets next.

Overdue accounts are followed with a series of letters that push for payment
while keeping the relationship, never the same format twice in a row, and at
the end of the series the account is handed over to the legal area or an
agency (source 001). :func:`dunning_plan` is that state machine,
:func:`simulate_dunning` builds a letter log when the client keeps none, and
:func:`dunning_letters` renders the letters to send.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pandas as pd

from crmlib.collections._aging import _as_of, open_invoices
from crmlib.exceptions import DataError, DataProblem, ParameterError
from crmlib.i18n import check_language, t
from crmlib.interact import local_timestamps

DUNNING_STAGES: tuple[str, ...] = ("reminder", "second_notice", "final_notice", "handover")


def _check_stage_days(stage_days) -> tuple[int, ...]:
    ok = (isinstance(stage_days, (tuple, list)) and len(stage_days) == len(DUNNING_STAGES)
          and all(isinstance(d, (int, np.integer)) and not isinstance(d, bool)
                  for d in stage_days)
          and stage_days[0] >= 1 and all(a < b for a, b in pairwise(stage_days)))
    if not ok:
        raise ParameterError(
            f"stage_days must give, for {list(DUNNING_STAGES)}, increasing days overdue "
            f"starting at 1 or more, e.g. (1, 15, 30, 60); got {stage_days!r}",
            parameter="stage_days", allowed="4 increasing ints >= 1", value=stage_days)
    return tuple(int(d) for d in stage_days)


def default_formats() -> dict:
    """Letter formats per dunning stage: two per stage, ``<stage>_a`` and ``<stage>_b``."""
    return {s: [f"{s}_a", f"{s}_b"] for s in DUNNING_STAGES}


def _check_formats(formats) -> dict:
    formats = default_formats() if formats is None else formats
    ok = isinstance(formats, dict) and set(formats) == set(DUNNING_STAGES) and all(
        isinstance(v, (list, tuple)) and len(v) >= 2 and len(set(v)) == len(v)
        for v in formats.values())
    if not ok:
        raise ParameterError(
            f"formats must map each of {list(DUNNING_STAGES)} to a list of at least two different letter "
            f"formats; got {formats!r}", parameter="formats",
            allowed="{stage: [format, format, ...]}", value=formats)
    return {k: list(v) for k, v in formats.items()}


def _history(history) -> pd.DataFrame:
    cols = ["customer_id", "sent_at", "stage", "letter_format"]
    if history is None or len(history) == 0:
        return pd.DataFrame({"customer_id": pd.Series(dtype=object),
                             "sent_at": pd.Series(dtype="datetime64[ns]"),
                             "stage": pd.Series(dtype=object),
                             "letter_format": pd.Series(dtype=object)})
    missing = [c for c in cols if c not in history.columns]
    if missing:
        raise DataError([DataProblem("dunning_history", c, "is required but missing")
                         for c in missing])
    h = history[cols].reset_index(drop=True)
    bad = ~h["stage"].isin(DUNNING_STAGES)
    if bad.any():
        raise DataError([DataProblem("dunning_history", "stage",
                                     f"is not one of {list(DUNNING_STAGES)}", int(bad.sum()),
                                     len(h), tuple(h.loc[bad, "stage"].head(3).items()))])
    return h.assign(sent_at=local_timestamps(h["sent_at"], table="dunning_history",
                                             column="sent_at"))


def dunning_plan(invoices: pd.DataFrame, *, as_of, history: pd.DataFrame | None = None,
                 stage_days=(1, 15, 30, 60), formats: dict | None = None,
                 min_gap_days: int = 10) -> pd.DataFrame:
    """Next collection letter for each customer with overdue invoices.

    A state machine per customer: the days overdue of their oldest overdue
    invoice say which stage is due (reminder, second notice, final notice,
    hand-over to the legal area or an agency, from ``stage_days``), but a
    customer never skips a stage: the next letter is at most one stage beyond
    the last one sent in the current overdue episode (letters sent since the
    earliest due date still unpaid). No letter goes out within
    ``min_gap_days`` of the previous one, and after the hand-over the
    customer gets no more letters. Each stage has several letter formats; the
    next format is the one after the last used for that stage, skipping the
    format of the customer's previous letter, so no customer receives the same
    format twice in a row (source 001).

    Parameters
    ----------
    invoices : DataFrame
        Contract ``invoices``.
    as_of : date
        Day the letters go out.
    history : DataFrame, optional
        Letters already sent: ``customer_id``, ``sent_at``, ``stage``,
        ``letter_format``. Empty or None for a first run.
    stage_days : 4 ints, default (1, 15, 30, 60)
        Days overdue from which each stage is due.
    formats : dict, optional
        ``{stage: [format, ...]}`` with at least two formats per stage;
        default :func:`default_formats`.
    min_gap_days : int, default 10
        Minimum days between two letters to the same customer.

    Returns
    -------
    DataFrame
        One row per customer with something overdue, letters to send first,
        then those waiting, then those handed over; within each, by
        ``max_days_overdue`` descending then ``customer_id``: ``customer_id``, ``n_overdue_invoices``,
        ``overdue_amount``, ``max_days_overdue``, ``oldest_due_at``,
        ``invoice_ids`` (comma-separated, oldest first), ``stage_by_days``,
        ``last_stage_sent`` (empty if none in the episode), ``last_sent_at``,
        ``last_format``, ``action`` (``send``, ``wait`` or ``handed_over``),
        ``stage`` and ``letter_format`` (of the letter to send; empty unless
        ``action`` is ``send``).
    """
    days = _check_stage_days(stage_days)
    fmts = _check_formats(formats)
    if not (isinstance(min_gap_days, int) and min_gap_days >= 0):
        raise ParameterError(f"min_gap_days must be a whole number >= 0; got {min_gap_days!r}",
                             parameter="min_gap_days", allowed=">= 0", value=min_gap_days)
    when = _as_of(as_of)
    inv = open_invoices(invoices, as_of=when)
    inv = inv[inv["days_overdue"] >= days[0]]
    hist = _history(history)
    hist = hist[hist["sent_at"] <= when]
    columns = ["customer_id", "n_overdue_invoices", "overdue_amount", "max_days_overdue",
               "oldest_due_at", "invoice_ids", "stage_by_days", "last_stage_sent",
               "last_sent_at", "last_format", "action", "stage", "letter_format"]
    if inv.empty:
        return pd.DataFrame(columns=columns)
    g = inv.sort_values(["customer_id", "due_at", "invoice_id"]).groupby("customer_id")
    per = g.agg(n_overdue_invoices=("invoice_id", "size"), overdue_amount=("open_amount", "sum"),
                max_days_overdue=("days_overdue", "max"), oldest_due_at=("due_at", "min"),
                invoice_ids=("invoice_id", lambda s: ", ".join(map(str, s)))).reset_index()
    level = np.searchsorted(np.asarray(days), per["max_days_overdue"].to_numpy(), side="right") - 1
    per["stage_by_days"] = np.asarray(DUNNING_STAGES, dtype=object)[level]

    stage_no = {s: i for i, s in enumerate(DUNNING_STAGES)}
    hist = hist.assign(_n=hist["stage"].map(stage_no), _o=np.arange(len(hist)))
    hist = hist.sort_values(["customer_id", "sent_at", "_o"])
    last_any = hist.drop_duplicates("customer_id", keep="last").set_index("customer_id")
    episode = hist.merge(per[["customer_id", "oldest_due_at"]], on="customer_id")
    episode = episode[episode["sent_at"] >= episode["oldest_due_at"]]
    last_stage = episode.groupby("customer_id")["_n"].max().to_dict()
    last_sent = last_any["sent_at"].to_dict()
    last_fmt = last_any["letter_format"].to_dict()
    by_stage = hist.drop_duplicates(["customer_id", "stage"], keep="last")
    last_in_stage = dict(zip(zip(by_stage["customer_id"], by_stage["stage"]),
                             by_stage["letter_format"]))

    rows = []
    for rec in per.itertuples(index=False):
        cid = rec.customer_id
        sent_at = last_sent.get(cid)
        done = int(last_stage.get(cid, -1))
        by_days = stage_no[rec.stage_by_days]
        row = {"last_stage_sent": DUNNING_STAGES[done] if done >= 0 else None,
               "last_sent_at": sent_at if sent_at is not None else pd.NaT,
               "last_format": last_fmt.get(cid), "stage": None, "letter_format": None}
        if done == len(DUNNING_STAGES) - 1:
            row["action"] = "handed_over"
        elif sent_at is not None and (when - sent_at).days < min_gap_days:
            row["action"] = "wait"
        else:
            nxt = DUNNING_STAGES[min(by_days, done + 1)]
            options = fmts[nxt]
            used = last_in_stage.get((cid, nxt))
            start = options.index(used) + 1 if used in options else 0
            ordered = options[start:] + options[:start]
            choice = next(f for f in ordered if f != row["last_format"])
            row.update(action="send", stage=nxt, letter_format=choice)
        rows.append(row)
    out = pd.concat([per.reset_index(drop=True), pd.DataFrame(rows)], axis=1)
    out["last_sent_at"] = pd.to_datetime(out["last_sent_at"]).astype("datetime64[ns]")
    rank = out["action"].map({"send": 0, "wait": 1, "handed_over": 2})
    out = out.assign(_r=rank).sort_values(["_r", "max_days_overdue", "customer_id"],
                                          ascending=[True, False, True], kind="stable")
    return out[columns].reset_index(drop=True)


def simulate_dunning(invoices: pd.DataFrame, *, as_of, weeks: int = 12,
                     stage_days=(1, 15, 30, 60), formats: dict | None = None,
                     min_gap_days: int = 10) -> pd.DataFrame:
    """A letter log as if :func:`dunning_plan` had been run every week and followed.

    Useful to demonstrate the sequence, or to start a log, when a client keeps
    no record of the letters sent: runs the plan on each of the ``weeks``
    weeks before ``as_of`` (not on ``as_of`` itself), each run seeing the
    letters of the runs before it.

    Returns
    -------
    DataFrame
        The log, oldest first: ``customer_id``, ``sent_at``, ``stage``,
        ``letter_format`` (the ``history`` input of :func:`dunning_plan`).
    """
    if not (isinstance(weeks, int) and weeks >= 0):
        raise ParameterError(f"weeks must be a whole number >= 0; got {weeks!r}",
                             parameter="weeks", allowed=">= 0", value=weeks)
    when = _as_of(as_of).normalize()
    history = _history(None)
    for k in range(weeks, 0, -1):
        day = when - pd.Timedelta(days=7 * k)
        plan = dunning_plan(invoices, as_of=day, history=history, stage_days=stage_days,
                            formats=formats, min_gap_days=min_gap_days)
        sent = plan[plan["action"] == "send"]
        if len(sent):
            new = pd.DataFrame({"customer_id": sent["customer_id"].to_numpy(),
                                "sent_at": day, "stage": sent["stage"].to_numpy(),
                                "letter_format": sent["letter_format"].to_numpy()})
            history = pd.concat([history, new], ignore_index=True)
    history["sent_at"] = history["sent_at"].astype("datetime64[ns]")
    return history


def dunning_view(plan: pd.DataFrame, *, language: str = "es") -> pd.DataFrame:
    """A :func:`dunning_plan` for reading: stages and actions in words, invoices counted.

    Returns
    -------
    DataFrame
        ``customer_id``, ``n_overdue_invoices``, ``overdue_amount``,
        ``max_days_overdue``, ``oldest_due_at``, ``last_stage_sent``,
        ``last_sent_at``, ``action_label``, ``stage`` and ``letter_format``,
        with stages, actions and form letters as reader labels and dates in
        the reader's short form.
    """
    from crmlib.i18n import code_label, format_date

    check_language(language)

    def stage(v):
        return t(f"collections.stage.{v}", language) if isinstance(v, str) else v

    view = plan[["customer_id", "n_overdue_invoices", "overdue_amount", "max_days_overdue",
                 "oldest_due_at", "last_stage_sent", "last_sent_at", "action", "stage",
                 "letter_format"]]
    view = view.rename(columns={"action": "action_label"})
    return view.assign(
        last_stage_sent=view["last_stage_sent"].map(stage).astype(object),
        stage=view["stage"].map(stage).astype(object),
        action_label=view["action_label"].map(lambda a: t(f"collections.action.{a}", language)),
        letter_format=view["letter_format"].map(
            lambda v: code_label("letter_format", v, language) or v if isinstance(v, str)
            else v).astype(object),
        oldest_due_at=[format_date(v, language, form="short") if pd.notna(v) else ""
                       for v in pd.to_datetime(view["oldest_due_at"])],
        last_sent_at=[format_date(v, language, form="short") if pd.notna(v) else ""
                      for v in pd.to_datetime(view["last_sent_at"])])


def dunning_letters(plan: pd.DataFrame, customers: pd.DataFrame, *, as_of, language: str = "es",
                    sender: str = "", templates=None, currency: str = "") -> pd.DataFrame:
    """Render the collection letter of every customer whose ``action`` is ``send``.

    Parameters
    ----------
    plan : DataFrame
        Result of :func:`dunning_plan`.
    customers : DataFrame
        Contract ``customers``; the first non-empty ``name`` per
        ``customer_id`` addresses the letter (a customer without one is a
        :class:`DataError` naming them).
    as_of : date
        Date printed on the letters.
    language : {"es", "en"}
    sender : str
        Company signing the letters.
    templates : str or path, optional
        Folder of letter templates overriding the packaged ones (see
        :func:`crmlib.personalize.render_letters`).
    currency : str
        Symbol or code printed after amounts.

    Returns
    -------
    DataFrame
        As :func:`crmlib.personalize.render_letters`: ``customer_id``,
        ``letter`` (the format), ``language``, ``html``.
    """
    from crmlib.i18n import format_date
    from crmlib.personalize import customer_names, render_letters

    send = plan[plan["action"] == "send"]
    if send.empty:
        return pd.DataFrame(columns=["customer_id", "letter", "language", "html"])
    names = customer_names(customers)
    recipients = send.merge(names, on="customer_id", how="left").assign(
        letter=send["letter_format"].to_numpy(),
        overdue_amount=send["overdue_amount"].round(2).to_numpy(),
        oldest_due_at=[format_date(v, language) for v in send["oldest_due_at"]])
    context = {"sender": sender, "date": format_date(_as_of(as_of), language),
               "currency": currency}
    return render_letters(recipients, language=language, templates=templates, context=context)
