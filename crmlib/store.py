"""The results store: key figures of every client and stage, across engagements.

One long table, ``results``::

    engagement  client_id  industry  stage  key  value  value_text  run_at  crmlib_version

with one row per ``(client_id, stage, key)`` (a new run of a stage replaces
its figures). The store is a DuckDB file by default, or a PostgreSQL database
given a ``postgresql://`` URL (needs ``pip install 'crm-workbook[postgres]'``),
so a consultant can set a client against earlier ones with
:func:`compare_with_portfolio`.
"""

from __future__ import annotations

import datetime as _dt
import time
from pathlib import Path

import numpy as np
import pandas as pd

from crmlib import __version__
from crmlib.exceptions import MissingDependencyError, ParameterError

__all__ = [
    "COLUMNS",
    "DuckDBStore",
    "PostgresStore",
    "ResultsStore",
    "compare_with_portfolio",
    "figure_label",
    "open_store",
    "portfolio_headline",
    "portfolio_summary",
    "portfolio_table",
]

COLUMNS = ["engagement", "client_id", "industry", "stage", "key", "value", "value_text", "run_at",
           "crmlib_version"]

_DDL = """
CREATE TABLE IF NOT EXISTS results (
    engagement TEXT,
    client_id TEXT NOT NULL,
    industry TEXT,
    stage TEXT NOT NULL,
    key TEXT NOT NULL,
    value DOUBLE PRECISION,
    value_text TEXT,
    run_at TEXT,
    crmlib_version TEXT,
    PRIMARY KEY (client_id, stage, key)
)
"""

_UPSERT = """
INSERT INTO results (engagement, client_id, industry, stage, key, value, value_text, run_at,
                     crmlib_version)
VALUES ({ph})
ON CONFLICT (client_id, stage, key) DO UPDATE SET
    engagement = excluded.engagement, industry = excluded.industry, value = excluded.value,
    value_text = excluded.value_text, run_at = excluded.run_at,
    crmlib_version = excluded.crmlib_version
"""


class ResultsStore:
    """Common interface of the DuckDB and PostgreSQL stores (a context manager)."""

    placeholder = "?"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _rows(self, rows, run_at):
        run_at = run_at or _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
        out = []
        for r in rows:
            value = r.get("value")
            if value is not None:
                value = float(value)
                if not np.isfinite(value):
                    value = None
            out.append((r.get("engagement"), str(r["client_id"]), r.get("industry"),
                        str(r["stage"]), str(r["key"]), value, r.get("value_text"),
                        r.get("run_at") or run_at, r.get("crmlib_version") or __version__))
        return out

    def upsert(self, rows, *, run_at: str | None = None) -> int:
        """Insert or replace figures; ``rows`` are dicts (or a DataFrame) with :data:`COLUMNS`.

        Returns the number of rows written.
        """
        if isinstance(rows, pd.DataFrame):
            rows = rows.to_dict("records")
        data = self._rows(rows, run_at)
        if data:
            self._executemany(_UPSERT.format(ph=", ".join([self.placeholder] * 9)), data)
        return len(data)

    def read(self, *, client_id: str | None = None, stage: str | None = None) -> pd.DataFrame:
        """The stored figures (optionally of one client and/or stage), columns :data:`COLUMNS`."""
        where, params = [], []
        for col, val in (("client_id", client_id), ("stage", stage)):
            if val is not None:
                where.append(f"{col} = {self.placeholder}")
                params.append(val)
        sql = f"SELECT {', '.join(COLUMNS)} FROM results"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY client_id, stage, key"
        frame = self._query(sql, params)
        return frame.astype({"value": "float64"})

    def delete(self, *, client_id: str, stage: str | None = None) -> None:
        """Remove a client's figures (of one stage, or all)."""
        sql = f"DELETE FROM results WHERE client_id = {self.placeholder}"
        params = [client_id]
        if stage is not None:
            sql += f" AND stage = {self.placeholder}"
            params.append(stage)
        self._executemany(sql, [tuple(params)])


def _retry_locked(fn, attempts: int = 60, pause: float = 0.25):
    last = None
    for _ in range(attempts):
        try:
            return fn()
        except Exception as exc:  # duckdb.IOException while another process holds the file
            if "lock" not in str(exc).lower():
                raise
            last = exc
            time.sleep(pause)
    raise last


class DuckDBStore(ResultsStore):
    """Results in a DuckDB file. Opened per operation, so several processes can take turns.

    Parameters
    ----------
    path : str or path
        The ``.duckdb`` file (created when missing).
    read_only : bool, default False
        Open without write access (several readers may share the file).
    """

    def __init__(self, path, *, read_only: bool = False):
        import duckdb  # noqa: F401 - a core dependency

        self.path = Path(path)
        self.read_only = read_only
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._with_conn(lambda con: con.execute(_DDL))

    def _with_conn(self, fn):
        import duckdb

        def attempt():
            con = duckdb.connect(str(self.path), read_only=self.read_only)
            try:
                return fn(con)
            finally:
                con.close()
        return _retry_locked(attempt)

    def _executemany(self, sql, data):
        def go(con):
            con.execute("BEGIN TRANSACTION")
            con.executemany(sql, data)
            con.execute("COMMIT")
        self._with_conn(go)

    def _query(self, sql, params):
        if self.read_only and not self.path.exists():
            return pd.DataFrame(columns=COLUMNS)
        return self._with_conn(lambda con: con.execute(sql, params).df())

    def close(self) -> None:
        """Nothing stays open between operations."""


class PostgresStore(ResultsStore):
    """Results in a PostgreSQL database (``postgresql://user:pw@host:port/db``)."""

    placeholder = "%s"

    def __init__(self, url: str, *, read_only: bool = False):
        try:
            import psycopg
        except ImportError:
            raise MissingDependencyError("psycopg", "postgres",
                                         "A PostgreSQL results store") from None
        self.url = url
        self.conn = psycopg.connect(_libpq_url(url), autocommit=False)
        if not read_only:
            with self.conn.cursor() as cur:
                cur.execute(_DDL)
            self.conn.commit()

    def _executemany(self, sql, data):
        with self.conn.cursor() as cur:
            cur.executemany(sql, data)
        self.conn.commit()

    def _query(self, sql, params):
        with self.conn.cursor() as cur:
            cur.execute(sql, params)
            names = [d.name for d in cur.description]
            frame = pd.DataFrame(cur.fetchall(), columns=names)
        self.conn.commit()
        return frame

    def close(self) -> None:
        self.conn.close()


def split_password(url: str) -> tuple[str, str | None]:
    """``url`` without its password, and the password (``None`` when it has none).

    A PostgreSQL URL given to the runner reaches the portfolio notebook as a
    parameter, and parameters are saved in the executed notebook. The runner
    hands notebooks the URL without its password and gives the kernel the
    password as ``PGPASSWORD``, where libpq looks for it (as it does in
    ``~/.pgpass``). Paths and URLs without a password come back unchanged.

    Examples
    --------
    >>> split_password("postgresql://crm:s%40fe@db:5432/crm")
    ('postgresql://crm@db:5432/crm', 's@fe')
    """
    from urllib.parse import unquote, urlsplit, urlunsplit

    if "://" not in str(url):
        return url, None
    parts = urlsplit(url)
    if parts.password is None:
        return url, None
    host = parts.netloc.rsplit("@", 1)[1]
    user = parts.netloc.rsplit("@", 1)[0].split(":", 1)[0]
    netloc = f"{user}@{host}" if user else host
    return urlunsplit(parts._replace(netloc=netloc)), unquote(parts.password)


def _libpq_url(url: str) -> str:
    for prefix in ("postgresql+psycopg://", "postgresql+psycopg2://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix):]
    return url


def open_store(target=None, *, read_only: bool = False) -> ResultsStore:
    """Open the results store at ``target``.

    Parameters
    ----------
    target : str, path or ResultsStore
        A ``postgresql://`` URL, or the path of a DuckDB file (default
        ``results.duckdb`` in the current folder).
    read_only : bool, default False
        Read without creating or changing anything.
    """
    if isinstance(target, ResultsStore):
        return target
    target = str(target or "results.duckdb")
    if target.startswith(("postgresql://", "postgres://", "postgresql+")):
        return PostgresStore(target, read_only=read_only)
    if "://" in target:
        raise ParameterError(f"store must be a DuckDB file path or a postgresql:// URL; got "
                             f"{target.split('://')[0]}://...", parameter="store",
                             allowed=("path.duckdb", "postgresql://..."), value=target)
    return DuckDBStore(target, read_only=read_only)


def compare_with_portfolio(store, client_id: str, *, industry: str | None = None,
                           stage: str | None = None) -> pd.DataFrame:
    """Where one client stands against the other clients of the store, figure by figure.

    For each numeric figure of ``client_id``, the percentile rank among the
    clients of the same industry that have that figure (the client
    included): the share of peers with a lower value plus half the share
    with an equal one, times 100 (the "mean" definition of
    ``scipy.stats.percentileofscore``). Peers are every client of the
    industry; use ``industry=""`` to compare with the whole store.

    Parameters
    ----------
    store : ResultsStore, str or path
        An open store, or its location (see :func:`open_store`).
    client_id : str
        The client to place.
    industry : str, optional
        Peer group; default the client's own industry. ``""`` = all clients.
    stage : str, optional
        Limit to one stage.

    Returns
    -------
    DataFrame
        One row per figure: ``stage``, ``key``, ``value`` (the client's),
        ``industry`` (peer group; "" = all), ``n_peers`` (clients with the
        figure, the client included), ``peer_min``, ``peer_median``,
        ``peer_max``, ``percentile`` (0-100; NaN with no other peer),
        ``rank`` (1 = highest value).
    """
    owns = not isinstance(store, ResultsStore)
    st = open_store(store, read_only=True) if owns else store
    try:
        data = st.read(stage=stage)
    finally:
        if owns:
            st.close()
    cols = ["stage", "key", "value", "industry", "n_peers", "peer_min", "peer_median",
            "peer_max", "percentile", "rank"]
    mine = data[(data["client_id"] == client_id) & data["value"].notna()]
    if mine.empty:
        if not (data["client_id"] == client_id).any():
            raise ParameterError(f"client_id {client_id!r} has no figures in the store",
                                 parameter="client_id", value=client_id)
        return pd.DataFrame(columns=cols)
    group = mine["industry"].iloc[0] if industry is None else industry
    peers = data[data["value"].notna()]
    if group:
        peers = peers[peers["industry"] == group]
    rows = []
    for r in mine.sort_values(["stage", "key"]).itertuples():
        vals = peers.loc[(peers["stage"] == r.stage) & (peers["key"] == r.key), "value"]
        vals = vals.to_numpy(dtype=float)
        n = len(vals)
        if n > 1:
            pct = 100.0 * ((vals < r.value).sum() + 0.5 * (vals == r.value).sum()) / n
        else:
            pct = np.nan
        rows.append({"stage": r.stage, "key": r.key, "value": r.value, "industry": group or "",
                     "n_peers": n, "peer_min": vals.min(), "peer_median": float(np.median(vals)),
                     "peer_max": vals.max(), "percentile": pct,
                     "rank": int((vals > r.value).sum() + 1)})
    return pd.DataFrame(rows, columns=cols)


_CODE_PREFIXES = ("personalize.action.", "personalize.stage.", "personalize.level.",
                  "collections.risk.", "collections.stage.", "differentiate.lifecycle.")


def _part_label(part: str, language: str) -> str:
    from crmlib.i18n import catalog

    texts = catalog()
    for key in (f"portfolio.part.{part}", f"column.{part}", f"table.{part}",
                *(prefix + part for prefix in _CODE_PREFIXES)):
        if key in texts:
            return texts[key][language]
    words = part.replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else part


def figure_label(key: str, language: str = "es") -> str:
    """Reader name of a stored figure (``clv_parameters.bgnbd.alpha`` -> "Parámetros CLV ·
    BG/NBD · alfa").

    The whole key from the catalog (``portfolio.figure.<key>``) when it has one; else each
    dotted part by its catalog name (``portfolio.part.``, ``column.``, ``table.`` or a code
    label), joined with " · "; a part the catalogs do not know is written as words
    (``total_amount`` -> "Total amount"), never as the bare key.
    """
    from crmlib.i18n import catalog, check_language

    check_language(language)
    entry = catalog().get(f"portfolio.figure.{key}")
    if entry:
        return entry[language]
    return " · ".join(_part_label(part, language) for part in str(key).split("."))


_PORTFOLIO_COLUMNS = ["stage_name", "figure", "client_value", "peer_group", "n_peers", "peer_min",
                      "peer_median", "peer_max", "percentile", "rank"]


def portfolio_table(store, client_id: str, *, industry: str | None = None,
                    language: str = "es", min_peers: int = 2) -> pd.DataFrame:
    """Report-ready view of :func:`compare_with_portfolio` (empty when nothing is stored).

    Parameters
    ----------
    store : ResultsStore, str or path
        The results store; a DuckDB path that does not exist yields an empty table.
    client_id : str
        The client to place.
    industry : str, optional
        Peer group (default the client's industry, or every client when no
        other client of that industry has figures; ``""`` = every client).
    language : {"es", "en"}
        Language of the stage names.
    min_peers : int, default 2
        Keep figures that at least this many clients have (the client included).

    Returns
    -------
    DataFrame
        One row per figure, stages in order: ``stage_name`` (translated),
        ``figure`` (its reader name, :func:`figure_label`), ``client_value``, ``peer_group``,
        ``n_peers``, ``peer_min``, ``peer_median``, ``peer_max``,
        ``percentile`` (0-100), ``rank`` (1 = highest value).
    """
    from crmlib.i18n import catalog, check_language, t

    check_language(language)
    if not isinstance(store, ResultsStore) and "://" not in str(store) \
            and not Path(store).exists():
        return pd.DataFrame(columns=_PORTFOLIO_COLUMNS)
    try:
        table = compare_with_portfolio(store, client_id, industry=industry)
        table = table[table["n_peers"] >= min_peers]
        if industry is None and table.empty:  # alone in its industry: compare with everyone
            table = compare_with_portfolio(store, client_id, industry="")
            table = table[table["n_peers"] >= min_peers]
    except ParameterError:
        return pd.DataFrame(columns=_PORTFOLIO_COLUMNS)
    names = {s: catalog().get(f"stage.{s}", {}).get(language, s) for s in table["stage"].unique()}
    return pd.DataFrame({
        "stage_name": table["stage"].map(names),
        "figure": table["key"].map(lambda k: figure_label(k, language)),
        "client_value": table["value"],
        "peer_group": table["industry"].replace("", t("portfolio.all_industries", language)),
        "n_peers": table["n_peers"], "peer_min": table["peer_min"],
        "peer_median": table["peer_median"], "peer_max": table["peer_max"],
        "percentile": table["percentile"], "rank": table["rank"],
    }, columns=_PORTFOLIO_COLUMNS).reset_index(drop=True)


def portfolio_summary(table: pd.DataFrame) -> dict:
    """Key figures of a :func:`portfolio_table`: ``n_figures``, ``n_compared`` (with a
    percentile), ``n_peers`` (largest group) and ``median_percentile`` (None if none)."""
    compared = table["percentile"].dropna()
    return {"n_figures": len(table), "n_compared": len(compared),
            "n_peers": int(table["n_peers"].max()) if len(table) else 0,
            "median_percentile": float(compared.median()) if len(compared) else None}


def _client_stored(store, client_id: str) -> bool | None:
    """Whether ``client_id`` has any figure in ``store``; None when there is no store yet."""
    if not isinstance(store, ResultsStore) and "://" not in str(store) \
            and not Path(store).exists():
        return None
    owns = not isinstance(store, ResultsStore)
    st = open_store(store, read_only=True) if owns else store
    try:
        return not st.read(client_id=client_id).empty
    finally:
        if owns:
            st.close()


def portfolio_headline(table: pd.DataFrame, client: str, *, language: str = "es",
                       store=None, client_id: str | None = None) -> str:
    """One sentence placing the client in its peer group, from the i18n catalog.

    With nothing to compare, and given ``store`` and ``client_id``, the sentence
    says why: no figures stored at all yet, none of this client (its stages
    did not finish), or no other client with comparable figures.
    """
    from crmlib.i18n import t

    summary = portfolio_summary(table)
    group = (table["peer_group"].iloc[0] if len(table) else "") or \
        t("portfolio.all_industries", language)
    if not summary["n_compared"]:
        if store is not None and client_id is not None and table.empty:
            stored = _client_stored(store, client_id)
            if stored is None:
                return t("portfolio.no_store", language)
            if not stored:
                return t("portfolio.client_missing", language, client=client)
        return t("portfolio.no_peers", language, group=group)
    return t("portfolio.headline", language, client=client, n_compared=summary["n_compared"],
             n_peers=summary["n_peers"], group=group, median=summary["median_percentile"])
