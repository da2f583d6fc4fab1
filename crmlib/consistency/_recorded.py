"""The consistency check over what a client's stages recorded, and its reading."""

from __future__ import annotations

import pandas as pd

from crmlib.i18n import check_language, t

#: Where each result the checks read is recorded: ``name -> (stage, recorded table)``.
RECORDED: dict[str, tuple[str, str]] = {
    "view": ("04_personalize", "customer_view"),
    "plan": ("04_personalize", "treatment_plan"),
    "dunning": ("07_collections", "dunning_plan"),
    "call_list": ("03_interact", "valuable_complainers"),
    "most_valuable": ("02_differentiate", "most_valuable"),
    "growth": ("02_differentiate", "growth_potential"),
    "ipa": ("06_servqual", "ipa"),
    "tests": ("06_servqual", "dimension_tests"),
    "zone": ("06_servqual", "zone_of_tolerance"),
    "regression": ("06_servqual", "importance_regression"),
    "method": ("09_segments", "customer_method"),
    "reactivation": ("09_segments", "reactivation_calls"),
}


def recorded_results(recorded: dict) -> dict:
    """The results :func:`check_client` reads, taken from what the stages recorded.

    Parameters
    ----------
    recorded : dict
        ``{stage: {"tables": {name: DataFrame}, ...}}`` as
        :func:`crmlib.store.read_client_results` returns it, or
        ``{stage: {name: DataFrame}}``.

    Returns
    -------
    dict
        ``{result name: DataFrame}`` for every result found (see :data:`RECORDED`).
    """
    out = {}
    for name, (stage, table) in RECORDED.items():
        got = recorded.get(stage) or {}
        tables = got.get("tables", got) if isinstance(got, dict) else {}
        if isinstance(tables.get(table), pd.DataFrame):
            out[name] = tables[table]
    return out


def consistency_note(found: pd.DataFrame, *, language: str = "es") -> str:
    """The check's result for a report: one sentence when all agrees, else one bullet per
    contradiction (severity, what disagrees, the items)."""
    from crmlib.consistency._checks import CHECKS

    check_language(language)
    run = len(found.attrs.get("run") or [])
    if found.empty:
        return t("consistency.note.none", language, n=run, total=len(CHECKS))
    lines = [t("consistency.note.found", language, n=len(found), checks=run,
               total=len(CHECKS)), ""]
    lines += [f"- **{r.severity_label}** · {r.check_label}: {r.message}"
              for r in found.itertuples()]
    return "\n".join(lines)


def stage_note(results: dict, *, language: str = "es") -> str:
    """:func:`check_client` on the results one stage has at hand, as :func:`consistency_note`."""
    from crmlib.consistency._checks import check_client

    return consistency_note(check_client({k: v for k, v in results.items() if v is not None},
                                         language=language), language=language)
