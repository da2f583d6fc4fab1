"""Realistic clients: folders of exports the way clients actually send them.

Four invented companies, each drawn from its own seed and each sending its data in
a way the sample companies do not (see each module's docstring for what it varies):

- ``mayorista`` (:mod:`.mayorista`): Spanish wholesaler, ERP exports in Windows-1252
  with Spanish ERP headers, a CRM list in Excel, Google Forms surveys.
- ``saas-us`` (:mod:`.saas_us`): US subscription company, month-first dates, quantity
  × unit price without amount, Qualtrics surveys.
- ``tienda-min`` (:mod:`.tienda_min`): a shop sending only required columns,
  ``YYYYMMDD`` dates, gzipped sales, SurveyMonkey surveys, forty customers.
- ``ferreteria-cat`` (:mod:`.ferreteria_cat`): a Catalan hardware shop, required columns
  only under Catalan headers, Excel workbooks with dates as Excel serial numbers,
  SurveyMonkey Excel exports of both surveys.

Written apart from the sample generator on purpose: a reader or stage tuned to the
samples is tested here on data it has not seen.

>>> truth = make_client("saas-us", tmp / "saas-us", seed=7)      # doctest: +SKIP
>>> make_engagement(tmp)                                          # doctest: +SKIP

From a shell (inside ``tests/``): ``python -m realistic_clients OUT [--seed N]`` writes
the four folders and ``OUT/engagement.yaml`` for ``crmlib validate`` and ``crmlib run``.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from . import ferreteria_cat, mayorista, saas_us, tienda_min
from ._base import AS_OF, ClientTruth

__all__ = ["AS_OF", "DEFAULT_SEED", "KINDS", "STAGES", "ClientTruth", "make_client",
           "make_engagement"]

KINDS = {"mayorista": mayorista, "saas-us": saas_us, "tienda-min": tienda_min,
         "ferreteria-cat": ferreteria_cat}
STAGES = ["01_identify", "02_differentiate", "03_interact", "04_personalize", "05_readiness",
          "06_servqual", "07_collections"]
DEFAULT_SEED = 20241231


def make_client(kind: str, folder, *, seed: int = DEFAULT_SEED) -> ClientTruth:
    """Write the files of one realistic client into ``folder`` (created if missing).

    Parameters
    ----------
    kind : {"mayorista", "saas-us", "tienda-min", "ferreteria-cat"}
    folder : str or path
    seed : int
        Same kind and seed, same files, byte for byte.

    Returns
    -------
    ClientTruth
        What was written (counts, total net sales), for known-answer checks.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {sorted(KINDS)}; got {kind!r}")
    return KINDS[kind].make(Path(folder), seed)


def make_engagement(folder, *, seed: int = DEFAULT_SEED, kinds=None) -> tuple[Path, dict]:
    """Write the clients (all four, or ``kinds``) under ``folder/<client id>/`` and ``folder/engagement.yaml``
    listing them with all seven stages.

    Returns
    -------
    (path of engagement.yaml, {client id: ClientTruth})
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    truths = {}
    clients = []
    for kind in (kinds or list(KINDS)):
        truth = make_client(kind, folder / KINDS[kind].CLIENT_ID, seed=seed)
        truths[truth.client_id] = truth
        clients.append({"id": truth.client_id, "name": truth.name, "industry": kind,
                        "data_dir": truth.client_id, "language": truth.language,
                        "parameters": {}, "stage_parameters": {}})
    data = {"engagement": "realistic-clients", "title": "Clients as they send their data",
            "as_of": AS_OF.isoformat(), "language": "es", "stages": list(STAGES),
            "clients": clients}
    path = folder / "engagement.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path, truths
