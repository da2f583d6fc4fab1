"""The credit worksheet of the four Cs: its definition, as a table, as an answer sheet.

Credit is granted on capacity, character (integrity), capital and conditions
(source 001). The worksheet (criteria, weights, scoring guide and decision
bands) is data: the packaged ``crmlib/templates/credit_4c.yaml`` or the
client's own file, checked by :func:`load_worksheet`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from crmlib.exceptions import ParameterError
from crmlib.i18n import check_language, t

_TEMPLATES = Path(__file__).parents[1] / "templates"


_CS = ("capacity", "character", "capital", "conditions")


@lru_cache(maxsize=8)
def _read_worksheet(path: str) -> dict:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def load_worksheet(worksheet=None) -> dict:
    """The credit worksheet definition: criteria, weights, scoring guide, bands.

    Parameters
    ----------
    worksheet : dict, str or path, optional
        A definition already loaded, or a YAML file; default the packaged
        ``crmlib/templates/credit_4c.yaml`` (``templates/credit_4c.yaml`` in a
        clone is the copy to edit).

    Returns
    -------
    dict
        The checked definition, with keys ``scale`` (``min``, ``max``),
        ``c_weights``, ``criteria`` (list of dicts with ``id``, ``c``,
        ``weight``, ``text``, ``guide`` and optionally ``ledger``) and ``bands``
        (``min`` total score and ``decision``, highest first).
    """
    if isinstance(worksheet, dict):
        ws = worksheet
    else:
        path = Path(worksheet) if worksheet else _TEMPLATES / "credit_4c.yaml"
        if not path.exists():
            raise ParameterError(f"worksheet file {path.name!r} does not exist",
                                 parameter="worksheet", value=str(worksheet))
        ws = _read_worksheet(str(path))
    problems = []
    crit = ws.get("criteria") or []
    ids = [c.get("id") for c in crit]
    if not crit:
        problems.append("has no criteria")
    if len(set(ids)) != len(ids):
        problems.append("repeats a criterion id")
    for c in crit:
        if c.get("c") not in _CS:
            problems.append(f"criterion {c.get('id')!r} has c={c.get('c')!r}, not one of {_CS}")
        if not (isinstance(c.get("weight"), (int, float)) and c["weight"] > 0):
            problems.append(f"criterion {c.get('id')!r} needs a weight > 0")
    cw = ws.get("c_weights") or {}
    if set(cw) != set(_CS) or any(not (isinstance(v, (int, float)) and v >= 0)
                                  for v in cw.values()) or not np.isclose(sum(cw.values()), 1):
        problems.append(f"c_weights must give each of {_CS} a weight >= 0, summing to 1")
    scale = ws.get("scale") or {}
    if not (isinstance(scale.get("min"), (int, float)) and isinstance(scale.get("max"),
                                                                       (int, float))
            and scale["min"] < scale["max"]):
        problems.append("scale needs min < max")
    bands = ws.get("bands") or []
    if not bands or min(b.get("min", 1) for b in bands) != 0:
        problems.append("bands need a last band with min 0")
    if problems:
        raise ParameterError("credit worksheet " + "; ".join(problems), parameter="worksheet",
                             value=worksheet if not isinstance(worksheet, dict) else "dict")
    ws = dict(ws)
    ws["bands"] = sorted(bands, key=lambda b: -b["min"])
    return ws


def worksheet_table(worksheet=None, *, language: str = "es") -> pd.DataFrame:
    """The worksheet as a table to print or fill in.

    Returns
    -------
    DataFrame
        One row per criterion, in worksheet order: ``criterion_id``, ``c``
        (the C it belongs to, translated), ``weight`` (within its C),
        ``question``, ``guide`` (what the low, middle and high scores mean),
        ``from_ledger`` (True when :func:`ledger_answers` scores it).
    """
    check_language(language)
    ws = load_worksheet(worksheet)
    rows = []
    for c in ws["criteria"]:
        guide = "; ".join(f"{k}: {v[language]}" for k, v in sorted(c.get("guide", {}).items()))
        rows.append({"criterion_id": c["id"], "c": t(f"collections.c.{c['c']}", language),
                     "weight": float(c["weight"]), "question": c["text"][language],
                     "guide": guide, "from_ledger": bool(c.get("ledger"))})
    return pd.DataFrame(rows)


def answer_sheet(customers, *, answers: pd.DataFrame | None = None, worksheet=None,
                 language: str = "es") -> pd.DataFrame:
    """Blank answer sheet for some customers, with any scores already known filled in.

    Parameters
    ----------
    customers : list of str or DataFrame
        Customers to assess (a table needs ``customer_id``), in order.
    answers : DataFrame, optional
        ``customer_id``, ``criterion_id``, ``score`` known so far (e.g. from
        :func:`ledger_answers`).

    Returns
    -------
    DataFrame
        One row per customer and criterion: ``customer_id``, ``criterion_id``,
        ``c``, ``question``, ``score`` (empty where still to be filled in).
    """
    ws = worksheet_table(worksheet, language=language)
    ids = list(customers["customer_id"] if isinstance(customers, pd.DataFrame) else customers)
    grid = pd.DataFrame({"customer_id": np.repeat(ids, len(ws)),
                         "criterion_id": np.tile(ws["criterion_id"].to_numpy(), len(ids))})
    grid = grid.merge(ws[["criterion_id", "c", "question"]], on="criterion_id", how="left")
    if answers is not None and len(answers):
        grid = grid.merge(answers[["customer_id", "criterion_id", "score"]],
                          on=["customer_id", "criterion_id"], how="left")
    else:
        grid["score"] = np.nan
    return grid
