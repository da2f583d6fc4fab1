"""Consolidating matched records into one master table of customers.

Pairs decided ``merge`` are joined transitively, strongest first, never across
a ``keep_apart`` pair or two different tax ids; each master takes its values
from its best-filled, most recent record. :class:`Consolidation` holds the
master, the record-to-master links and the match report.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from crmlib.identify._checks import _column
from crmlib.identify._match import _check_max_group, _check_threshold, _match
from crmlib.identify._normalize import normalize_customers
from crmlib.identify._overrides import apply_overrides, read_overrides


@dataclass(frozen=True)
class Consolidation:
    """Result of :func:`consolidate`.

    Attributes
    ----------
    master : DataFrame
        One row per master customer (see :func:`consolidate`).
    links : DataFrame
        One row per source record: ``record_key``, ``source``, ``customer_id``,
        ``master_id``, ``is_primary`` (the record whose values lead the master).
    pairs : DataFrame
        The match report: :func:`match_candidates` after overrides, plus
        ``same_master`` (whether the two records ended in one master).
    """

    master: pd.DataFrame
    links: pd.DataFrame
    pairs: pd.DataFrame

    @property
    def n_records(self) -> int:
        """Number of source records."""
        return len(self.links)

    @property
    def n_master(self) -> int:
        """Number of master customers."""
        return len(self.master)

    @property
    def duplicate_rate(self) -> float:
        """Share of records that duplicate another one: ``1 - n_master / n_records``."""
        return 1 - self.n_master / self.n_records if self.n_records else float("nan")

    def summary(self) -> dict:
        """Key figures: records, masters, duplicates, pairs by decision, merged pairs."""
        by_decision = self.pairs["decision"].value_counts()
        return {
            "n_records": self.n_records,
            "n_sources": int(self.links["source"].nunique()),
            "n_master": self.n_master,
            "n_duplicates": self.n_records - self.n_master,
            "duplicate_rate": self.duplicate_rate,
            "n_multi_source": int((self.master["n_sources"] > 1).sum()),
            "n_pairs": len(self.pairs),
            "n_merge": int(by_decision.get("merge", 0)),
            "n_review": int(by_decision.get("review", 0)),
            "n_keep_apart": int(by_decision.get("keep_apart", 0)),
            "n_overrides": int(self.pairs["override"].sum()),
        }


def _cluster(n: int, keys: np.ndarray, taxes: np.ndarray, pairs: pd.DataFrame) -> np.ndarray:
    """Constrained union-find: merge edges strongest first, never joining a keep-apart
    pair or two different tax ids. Returns a component label per record."""
    index = {k: p for p, k in enumerate(keys)}
    parent = list(range(n))
    members = {p: {p} for p in range(n)}
    tax_sets = {p: ({taxes[p]} if taxes[p] is not None else set()) for p in range(n)}
    apart: dict[int, set] = {}
    for a, b in pairs.loc[pairs["decision"] == "keep_apart", ["left_key", "right_key"]].itertuples(
            index=False):
        if a in index and b in index:
            ia, ib = index[a], index[b]
            apart.setdefault(ia, set()).add(ib)
            apart.setdefault(ib, set()).add(ia)
    blocked = {p: set(apart.get(p, ())) for p in range(n)}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    edges = pairs[pairs["decision"] == "merge"].assign(
        _o=~pairs["override"].astype(bool), _s=-pairs["score"].fillna(101))
    edges = edges.sort_values(["_o", "_s", "left_key", "right_key"], kind="mergesort")
    for a, b in edges[["left_key", "right_key"]].itertuples(index=False):
        if a not in index or b not in index:
            continue
        ra, rb = find(index[a]), find(index[b])
        if ra == rb:
            continue
        if blocked[ra] & members[rb]:
            continue
        if tax_sets[ra] and tax_sets[rb] and tax_sets[ra] != tax_sets[rb]:
            continue
        if len(members[ra]) < len(members[rb]):
            ra, rb = rb, ra
        parent[rb] = ra
        members[ra] |= members.pop(rb)
        blocked[ra] |= blocked.pop(rb)
        tax_sets[ra] |= tax_sets.pop(rb)
    roots = np.array([find(p) for p in range(n)])
    graph = coo_matrix((np.ones(n), (np.arange(n), roots)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return labels


def _join_by(groups: pd.Series, values: pd.Series, *, unique: bool = False) -> dict:
    """``{group: ";".join(sorted values)}`` without a Python call per pandas group."""
    collected: dict = {}
    for g, v in zip(groups.to_numpy(dtype=object), values.to_numpy(dtype=object)):
        collected.setdefault(g, []).append(str(v))
    return {g: ";".join(sorted(set(v)) if unique else sorted(v)) for g, v in collected.items()}


def consolidate(
    customers: pd.DataFrame,
    *,
    overrides: pd.DataFrame | str | Path | None = None,
    threshold: float = 90,
    name_floor: float = 75,
    max_group: int = 25,
    phone_key_digits: int = 9,
) -> Consolidation:
    """Merge customer records from several sources into one master table.

    Pairs decided ``merge`` (by the rules of :func:`match_candidates` or by the
    consultant's ``overrides``) are joined transitively, as connected components:
    if A matches B and B matches C, all three are one customer. Two guards keep
    a chain from joining records that must stay apart: pairs are joined from
    the strongest (overrides first, then by ``score``), and a join is skipped when
    it would put together a ``keep_apart`` pair or two different tax ids. Pairs
    decided ``review`` are not merged until an override says so.

    Master values follow one rule: records of a master are ranked by how many of
    name, e-mail, phone, tax id and city they hold (valid values only), then by
    the most recent ``created_at``, then by record key; each field takes the value
    of the best-ranked record that has it. The best-ranked record is the primary.

    Parameters
    ----------
    customers : DataFrame
        Contract ``customers``, several sources stacked (``source`` column).
    overrides : DataFrame or path, optional
        The consultant's decisions (see :func:`apply_overrides`), or the path of
        an override file read with :func:`read_overrides`; ``""`` means none.
    threshold, name_floor, max_group, phone_key_digits
        See :func:`match_candidates`.

    Returns
    -------
    Consolidation
        ``master``: one row per master customer, ordered by ``master_id``:
        ``master_id`` (``M`` + 6 digits, numbered by smallest record key),
        ``name``, ``kind``, ``email`` (normalised), ``phone`` (as recorded),
        ``tax_id`` (normalised), ``city``, ``segment``, ``created_at`` (earliest),
        ``special`` (any record flagged), ``n_records``, ``n_sources``,
        ``sources`` (``;``-joined, sorted), ``record_keys`` (``;``-joined),
        ``primary_key``.
        ``links``: ``record_key``, ``source``, ``customer_id``, ``master_id``,
        ``is_primary``. ``pairs``: the match report (see :func:`match_candidates`)
        plus ``same_master``.
    """
    if isinstance(overrides, (str, Path)):
        overrides = read_overrides(overrides) if str(overrides).strip() else None
    threshold = _check_threshold("threshold", threshold)
    name_floor = _check_threshold("name_floor", name_floor, 0, 100)
    _check_max_group(max_group)
    norm = normalize_customers(customers, phone_key_digits=phone_key_digits)
    pairs = _match(norm, threshold=threshold, name_floor=name_floor, max_group=max_group)
    too_common = pairs.attrs.get("too_common", {})
    pairs = apply_overrides(pairs, overrides, record_keys=norm["record_key"])
    n = len(norm)
    keys = norm["record_key"].to_numpy(dtype=object)
    labels = _cluster(n, keys, norm["tax_id_norm"].to_numpy(dtype=object), pairs)

    # number masters by their smallest record key (records are sorted by key)
    first_pos = pd.Series(np.arange(n)).groupby(labels).min()
    order = np.argsort(first_pos.to_numpy(), kind="stable")
    number = np.empty(len(order), dtype=int)
    number[order] = np.arange(1, len(order) + 1)
    label_to_num = dict(zip(first_pos.index, number))
    master_ids = np.array([f"M{label_to_num[lab]:06d}" for lab in labels], dtype=object)

    work = norm.copy()
    work["master_id"] = master_ids
    valid = {"name": work["name_norm"], "email": work["email_norm"],
             "phone": work["phone_norm"], "tax_id": work["tax_id_norm"],
             "city": work["city_norm"]}
    work["_filled"] = sum(v.notna().astype(int) for v in valid.values())
    created = work["created_at"] if "created_at" in work.columns else pd.Series(pd.NaT,
                                                                                index=work.index)
    work["_created"] = pd.to_datetime(created)
    ranked = work.sort_values(["master_id", "_filled", "_created", "record_key"],
                              ascending=[True, False, False, True], na_position="last",
                              kind="mergesort")
    primary = ranked.groupby("master_id", sort=True)["record_key"].first()

    fields = pd.DataFrame({
        "master_id": ranked["master_id"],
        "name": ranked["name"].astype(object).where(ranked["name_norm"].notna(), None),
        "kind": ranked["kind_filled"],
        "email": ranked["email_norm"],
        "phone": _column(ranked, "phone").where(ranked["phone_norm"].notna(), None),
        "tax_id": ranked["tax_id_norm"],
        "city": _column(ranked, "city").where(ranked["city_norm"].notna(), None),
        "segment": _column(ranked, "segment"),
    })
    master = fields.groupby("master_id", sort=True).first()
    grouped = ranked.groupby("master_id", sort=True)
    master["created_at"] = grouped["_created"].min()
    if "special" in ranked.columns:
        flag = ranked["special"].astype(object).where(ranked["special"].notna(), False)
        master["special"] = flag.astype(bool).groupby(ranked["master_id"]).any()
    else:
        master["special"] = False
    master["n_records"] = grouped.size()
    master["n_sources"] = grouped["source"].nunique()
    master["sources"] = pd.Series(_join_by(ranked["master_id"], ranked["source"], unique=True))
    master["record_keys"] = pd.Series(_join_by(ranked["master_id"], ranked["record_key"]))
    master["primary_key"] = primary
    master = master.reset_index()
    for col in ("name", "kind", "email", "phone", "tax_id", "city", "segment"):
        master[col] = master[col].astype(object).where(master[col].notna(), None)

    links = pd.DataFrame({
        "record_key": keys,
        "source": norm["source"].to_numpy(dtype=object),
        "customer_id": norm["customer_id"].to_numpy(dtype=object),
        "master_id": master_ids,
    })
    links["is_primary"] = links["record_key"].isin(set(primary.to_numpy()))

    where = dict(zip(keys, master_ids))
    pairs = pairs.copy()
    pairs["same_master"] = [where.get(a) is not None and where.get(a) == where.get(b)
                            for a, b in zip(pairs["left_key"], pairs["right_key"])]
    pairs.attrs["too_common"] = too_common
    return Consolidation(master=master, links=links, pairs=pairs)


def source_counts(customers: pd.DataFrame) -> pd.DataFrame:
    """Records per source.

    Returns
    -------
    DataFrame
        One row per source, sorted by name: ``source``, ``n_records``, ``share``
        (of all records), ``n_with_email``, ``n_with_phone``, ``n_with_tax_id``
        (records holding a valid value).
    """
    norm = normalize_customers(customers)
    out = norm.groupby("source", sort=True).agg(
        n_records=("record_key", "size"),
        n_with_email=("email_norm", "count"),
        n_with_phone=("phone_norm", "count"),
        n_with_tax_id=("tax_id_norm", "count"),
    ).reset_index()
    out.insert(2, "share", out["n_records"] / out["n_records"].sum())
    return out
