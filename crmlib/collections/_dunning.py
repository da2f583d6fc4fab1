"""The dunning sequence: which collection letter each customer gets next.

Overdue accounts are followed with a series of letters that push for payment
while keeping the relationship, never the same format twice in a row, and at
the end of the series the account is handed over to the legal area or an
agency (source 001). :func:`dunning_plan` is that state machine,
:func:`simulate_dunning` builds a letter log when the client keeps none
(labelled as simulated wherever it appears), :func:`dunning_letters` renders
the letters to send and :func:`dunning_note` says what the plan rests on. Read
with the customer view, a high-value account is reviewed by its owner rather
than handed straight to the legal area.
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


def _is_simulated(history) -> bool:
    """True when a letter log (or any of its rows) was made by :func:`simulate_dunning`."""
    if history is None:
        return False
    if history.attrs.get("simulated"):
        return True
    return "simulated" in history.columns and bool(
        history["simulated"].fillna(False).astype(bool).any())


def _high_value(view: pd.DataFrame | None, classes) -> dict:
    """Customers of the view whose value class is in ``classes`` or who are most valuable,
    mapped to their account owner (None when unknown)."""
    if view is None:
        return {}
    if "customer_id" not in view.columns or "pareto_class" not in view.columns:
        raise DataError([DataProblem("customer view", c, "is required but missing")
                         for c in ("customer_id", "pareto_class") if c not in view.columns])
    keep = view["pareto_class"].isin(list(classes)).to_numpy().copy()
    if "is_most_valuable" in view:
        keep = keep | view["is_most_valuable"].fillna(False).astype(bool).to_numpy()
    owners = view["account_owner"] if "account_owner" in view else pd.Series(
        None, index=view.index, dtype=object)
    sel = view[keep]
    return {str(c): (o if isinstance(o, str) and o.strip() else None)
            for c, o in zip(sel["customer_id"], owners[keep])}


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
    h.attrs["simulated"] = _is_simulated(history)
    bad = ~h["stage"].isin(DUNNING_STAGES)
    if bad.any():
        raise DataError([DataProblem("dunning_history", "stage",
                                     f"is not one of {list(DUNNING_STAGES)}", int(bad.sum()),
                                     len(h), tuple(h.loc[bad, "stage"].head(3).items()))])
    return h.assign(sent_at=local_timestamps(h["sent_at"], table="dunning_history",
                                             column="sent_at"))


def dunning_plan(invoices: pd.DataFrame, *, as_of, history: pd.DataFrame | None = None,
                 stage_days=(1, 15, 30, 60), formats: dict | None = None,
                 min_gap_days: int = 10, view: pd.DataFrame | None = None,
                 high_value_classes=("A", "B")) -> pd.DataFrame:
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
    view : DataFrame, optional
        The customer view (:func:`crmlib.view.customer_view`). A customer of
        high value (``pareto_class`` in ``high_value_classes``, or
        ``is_most_valuable``) is never handed over to the legal area straight
        from the letters: when the hand-over is due, the account goes to its
        owner's review instead (``action`` ``owner_review``), who decides how
        to collect while keeping the relationship (source 001).
    high_value_classes : sequence of str, default ("A", "B")
        Value classes that count as high value: by default the valuable
        customers of the plan's rules, classes A and B.

    Without a letter log (``history`` None or empty) nobody has been written
    to yet, so every customer starts at the first step (a reminder) whatever
    their days overdue; ``history_source`` says so. A log made by
    :func:`simulate_dunning` is labelled ``simulated``.

    Returns
    -------
    DataFrame
        One row per customer with something overdue, letters to send first,
        then those waiting, then those for review or handed over; within each,
        by ``max_days_overdue`` descending then ``customer_id``: ``customer_id``,
        ``n_overdue_invoices``, ``overdue_amount``, ``max_days_overdue``,
        ``oldest_due_at``, ``invoice_ids`` (comma-separated, oldest first),
        ``stage_by_days``, ``last_stage_sent`` (empty if none in the episode),
        ``last_sent_at``, ``last_format``, ``action`` (``send``, ``wait``,
        ``owner_review`` or ``handed_over``), ``stage`` and ``letter_format``
        (of the letter to send; empty unless ``action`` is ``send``),
        ``owner`` (for ``owner_review``: the account owner, empty when the view
        names none), ``history_source`` (``log``, ``simulated`` or ``none``).
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
    source = "none" if hist.empty else ("simulated" if hist.attrs.get("simulated") else "log")
    hist = hist[hist["sent_at"] <= when]
    valuable = _high_value(view, high_value_classes)
    columns = ["customer_id", "n_overdue_invoices", "overdue_amount", "max_days_overdue",
               "oldest_due_at", "invoice_ids", "stage_by_days", "last_stage_sent",
               "last_sent_at", "last_format", "action", "stage", "letter_format", "owner",
               "history_source"]
    if inv.empty:
        out = pd.DataFrame(columns=columns)
        out.attrs["history_source"] = source
        return out
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
               "last_format": last_fmt.get(cid), "stage": None, "letter_format": None,
               "owner": None}
        nxt = DUNNING_STAGES[min(by_days, done + 1)]
        if done == len(DUNNING_STAGES) - 1:
            row["action"] = "handed_over"
        elif sent_at is not None and (when - sent_at).days < min_gap_days:
            row["action"] = "wait"
        elif nxt == "handover" and str(cid) in valuable:
            row.update(action="owner_review", owner=valuable[str(cid)])
        else:
            options = fmts[nxt]
            used = last_in_stage.get((cid, nxt))
            start = options.index(used) + 1 if used in options else 0
            ordered = options[start:] + options[:start]
            choice = next(f for f in ordered if f != row["last_format"])
            row.update(action="send", stage=nxt, letter_format=choice)
        rows.append(row)
    out = pd.concat([per.reset_index(drop=True), pd.DataFrame(rows)], axis=1)
    out["last_sent_at"] = pd.to_datetime(out["last_sent_at"]).astype("datetime64[ns]")
    out["history_source"] = source
    rank = out["action"].map({"send": 0, "wait": 1, "owner_review": 2, "handed_over": 3})
    out = out.assign(_r=rank).sort_values(["_r", "max_days_overdue", "customer_id"],
                                          ascending=[True, False, True], kind="stable")
    out = out[columns].reset_index(drop=True)
    out.attrs["history_source"] = source
    return out


def simulate_dunning(invoices: pd.DataFrame, *, as_of, weeks: int = 12,
                     stage_days=(1, 15, 30, 60), formats: dict | None = None,
                     min_gap_days: int = 10, view: pd.DataFrame | None = None,
                     high_value_classes=("A", "B")) -> pd.DataFrame:
    """A letter log as if :func:`dunning_plan` had been run every week and followed.

    Useful to demonstrate the sequence, or to start a log, when a client keeps
    no record of the letters sent: runs the plan on each of the ``weeks``
    weeks before ``as_of`` (not on ``as_of`` itself), each run seeing the
    letters of the runs before it.

    ``view`` and ``high_value_classes`` are passed to :func:`dunning_plan`, so
    the simulation never hands a high-value customer over to legal either.

    Returns
    -------
    DataFrame
        The log, oldest first: ``customer_id``, ``sent_at``, ``stage``,
        ``letter_format`` (the ``history`` input of :func:`dunning_plan`) and
        ``simulated`` (always true); ``attrs["simulated"]`` is True, so the plan
        built on it says its history is simulated.
    """
    if not (isinstance(weeks, int) and weeks >= 0):
        raise ParameterError(f"weeks must be a whole number >= 0; got {weeks!r}",
                             parameter="weeks", allowed=">= 0", value=weeks)
    when = _as_of(as_of).normalize()
    history = _history(None)
    for k in range(weeks, 0, -1):
        day = when - pd.Timedelta(days=7 * k)
        plan = dunning_plan(invoices, as_of=day, history=history, stage_days=stage_days,
                            formats=formats, min_gap_days=min_gap_days, view=view,
                            high_value_classes=high_value_classes)
        sent = plan[plan["action"] == "send"]
        if len(sent):
            new = pd.DataFrame({"customer_id": sent["customer_id"].to_numpy(),
                                "sent_at": day, "stage": sent["stage"].to_numpy(),
                                "letter_format": sent["letter_format"].to_numpy()})
            history = pd.concat([history, new], ignore_index=True)
    history["sent_at"] = history["sent_at"].astype("datetime64[ns]")
    history["simulated"] = True
    history.attrs["simulated"] = True
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
        the reader's short form, then (for plans that have them) ``owner`` and
        ``history_source`` (in words: letters actually sent, simulated history,
        or none yet).
    """
    from crmlib.i18n import code_label, format_date

    check_language(language)

    def stage(v):
        return t(f"collections.stage.{v}", language) if isinstance(v, str) else v

    extra = [c for c in ("owner", "history_source") if c in plan.columns]
    view = plan[["customer_id", "n_overdue_invoices", "overdue_amount", "max_days_overdue",
                 "oldest_due_at", "last_stage_sent", "last_sent_at", "action", "stage",
                 "letter_format", *extra]]
    view = view.rename(columns={"action": "action_label"})
    if "history_source" in view:
        view = view.assign(history_source=view["history_source"].map(
            lambda v: t(f"collections.history_source.{v}", language)))
    if "owner" in view:
        unassigned = t("collections.owner.unassigned", language)
        view = view.assign(owner=np.where(
            (view["action_label"] == "owner_review") & view["owner"].isna(), unassigned,
            view["owner"].astype(object)))
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
    out = render_letters(recipients, language=language, templates=templates, context=context)
    if plan.attrs.get("history_source") == "simulated" or (
            "history_source" in plan and (plan["history_source"] == "simulated").any()):
        # letters chosen from a simulated log are a demonstration, and say so
        out["history_source"] = "simulated"
        out.attrs["history_source"] = "simulated"
    return out


def dunning_note(plan: pd.DataFrame, *, language: str = "es") -> str:
    """What the dunning plan rests on, in one or two sentences.

    Says whether the letters follow a real log, a simulated one (a
    demonstration, not letters actually sent), or no log at all (every
    customer starts at the first step), and how many high-value accounts go to
    their owner's review instead of the legal area.
    """
    check_language(language)
    source = plan.attrs.get("history_source") or (
        plan["history_source"].iloc[0] if "history_source" in plan and len(plan) else "none")
    lines = [t(f"collections.dunning_note.{source}", language)]
    n = int((plan["action"] == "owner_review").sum()) if "action" in plan else 0
    if n:
        lines.append(t("collections.dunning_note.owner_review", language, n=n))
    return " ".join(lines)
