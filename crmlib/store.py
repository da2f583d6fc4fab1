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
import math
import os
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd

from crmlib import __version__
from crmlib.exceptions import MissingDependencyError, ParameterError

__all__ = [
    "COLUMNS",
    "VIEW_TYPES",
    "DuckDBStore",
    "PostgresStore",
    "ResultsStore",
    "compare_with_portfolio",
    "duckdb_problem",
    "figure_label",
    "open_store",
    "portfolio_headline",
    "portfolio_summary",
    "portfolio_table",
    "read_client_results",
    "read_tables",
    "set_aside",
    "write_tables",
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


#: Columns of the stored customer view (``customer_view`` table) beyond ``engagement`` and
#: ``client_id``: the view's columns (:data:`crmlib.view.VIEW_COLUMNS`) with their SQL type.
VIEW_TYPES: dict[str, str] = {
    "customer_id": "TEXT", "name": "TEXT", "account_owner": "TEXT", "value_window": "TEXT",
    "value": "DOUBLE PRECISION", "value_rank": "DOUBLE PRECISION",
    "value_share": "DOUBLE PRECISION", "pareto_class": "TEXT", "is_most_valuable": "BOOLEAN",
    "value_all_time": "DOUBLE PRECISION", "pareto_class_all_time": "TEXT", "segment": "TEXT",
    "segment_label": "TEXT", "rfm_cell": "TEXT", "lifecycle": "TEXT", "first_purchase": "TEXT",
    "last_purchase": "TEXT", "days_since_first": "DOUBLE PRECISION",
    "days_since_last": "DOUBLE PRECISION", "n_purchases": "DOUBLE PRECISION",
    "is_decliner": "BOOLEAN", "value_at_risk": "DOUBLE PRECISION",
    "value_at_risk_annual": "DOUBLE PRECISION", "contribution": "DOUBLE PRECISION",
    "is_below_zero": "BOOLEAN", "p_alive": "DOUBLE PRECISION",
    "expected_purchases": "DOUBLE PRECISION", "clv": "DOUBLE PRECISION",
    "n_contacts": "DOUBLE PRECISION", "n_complaints": "DOUBLE PRECISION",
    "n_open_complaints": "DOUBLE PRECISION", "oldest_open_complaint_days": "DOUBLE PRECISION",
    "recent_closed_complaints": "DOUBLE PRECISION", "last_complaint_category": "TEXT",
    "n_praise": "DOUBLE PRECISION", "last_contact_at": "TEXT", "preferred_channel": "TEXT",
    "on_complaint_call_list": "BOOLEAN", "complaint_days_left_in_window": "DOUBLE PRECISION",
    "open_balance": "DOUBLE PRECISION", "overdue_amount": "DOUBLE PRECISION",
    "max_days_overdue": "DOUBLE PRECISION", "overdue_status": "TEXT",
    "collection_step": "TEXT", "relationship_stage": "TEXT", "next_stage_gap": "TEXT",
}

_VIEW_DDL = ("CREATE TABLE IF NOT EXISTS customer_view (engagement TEXT, client_id TEXT NOT NULL, "
             + ", ".join(f"{c} {ty}" for c, ty in VIEW_TYPES.items())
             + ", PRIMARY KEY (client_id, customer_id))")


_SQL_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def _sql_type(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "BOOLEAN"
    if pd.api.types.is_numeric_dtype(series):
        return "DOUBLE PRECISION"
    return "TEXT"


def _view_cell(value, sql_type: str):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if sql_type == "BOOLEAN":
        return bool(value)
    if sql_type == "DOUBLE PRECISION":
        value = float(value)
        return value if np.isfinite(value) else None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return str(value)


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

    def put_view(self, client_id: str, view: pd.DataFrame, *,
                 engagement: str | None = None) -> int:
        """Store one client's customer view (:func:`crmlib.view.customer_view`), replacing
        the one stored before; returns the number of customers written.

        The columns of :data:`VIEW_TYPES` have fixed types; a column the view has beyond
        them (a verdict a newer stage adds) is added to the table, typed from its values.
        """
        self._ddl(_VIEW_DDL)
        types = dict(VIEW_TYPES)
        for c in view.columns:
            if c not in types and _SQL_NAME.fullmatch(str(c)):
                types[c] = _sql_type(view[c])
                self._ddl(f"ALTER TABLE customer_view ADD COLUMN IF NOT EXISTS {c} {types[c]}")
        self._executemany(f"DELETE FROM customer_view WHERE client_id = {self.placeholder}",
                          [(str(client_id),)])
        cols = list(types)
        data = []
        for rec in view.to_dict("records"):
            data.append((engagement, str(client_id),
                         *[_view_cell(rec.get(c), types[c]) for c in cols]))
        if data:
            ph = ", ".join([self.placeholder] * (len(cols) + 2))
            self._executemany(f"INSERT INTO customer_view (engagement, client_id, "
                              f"{', '.join(cols)}) VALUES ({ph})", data)
        return len(data)

    def read_view(self, *, client_id: str | None = None) -> pd.DataFrame:
        """The stored customer views (of one client), by client and value rank: ``engagement``,
        ``client_id``, the columns of :data:`VIEW_TYPES`, then any added later."""
        first = ["engagement", "client_id", *VIEW_TYPES]
        if getattr(self, "read_only", False) and not self._has_view_table():
            return pd.DataFrame(columns=first)
        if not getattr(self, "read_only", False):
            self._ddl(_VIEW_DDL)
        sql = "SELECT * FROM customer_view"
        params = []
        if client_id is not None:
            sql += f" WHERE client_id = {self.placeholder}"
            params.append(str(client_id))
        sql += " ORDER BY client_id, value_rank, customer_id"
        frame = self._query(sql, params)
        return frame[first + [c for c in frame.columns if c not in first]]

    def _has_view_table(self) -> bool:
        try:
            found = self._query("SELECT count(*) AS n FROM information_schema.tables "
                                "WHERE table_name = 'customer_view'", [])
        except Exception:  # noqa: BLE001 - a store that cannot say has no view
            return False
        return bool(len(found)) and int(found.iloc[0, 0]) > 0

    def delete(self, *, client_id: str, stage: str | None = None) -> None:
        """Remove a client's figures (of one stage, or all)."""
        sql = f"DELETE FROM results WHERE client_id = {self.placeholder}"
        params = [client_id]
        if stage is not None:
            sql += f" AND stage = {self.placeholder}"
            params.append(stage)
        self._executemany(sql, [tuple(params)])


def _held_by_another(exc: BaseException) -> bool:
    """DuckDB's words for a file another process holds (not "block", which has "lock" in it)."""
    text = str(exc).lower()
    return "could not set lock" in text or "conflicting lock" in text


def _retry_locked(fn, attempts: int = 60, pause: float = 0.25):
    last = None
    for _ in range(attempts):
        try:
            return fn()
        except Exception as exc:  # duckdb.IOException while another process holds the file
            if not _held_by_another(exc):
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

    def _ddl(self, sql):
        self._with_conn(lambda con: con.execute(sql))

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

    def _ddl(self, sql):
        with self.conn.cursor() as cur:
            cur.execute(sql)
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


def duckdb_problem(path) -> str | None:
    """Why the DuckDB results file at ``path`` cannot be read; None when absent or whole.

    Reads every row of ``results``, so a file cut short or failing its
    checksums is found as well as one that is not a DuckDB database. A file
    another process holds, or a disk without space, is not a problem of the
    file: those errors are raised.
    """
    import duckdb

    path = Path(path)
    if not path.is_file():
        return None

    def attempt():
        con = duckdb.connect(str(path), read_only=True)
        try:
            tables = {r[0] for r in con.execute(
                "SELECT table_name FROM information_schema.tables").fetchall()}
            if "results" in tables:
                con.execute("SELECT * FROM results").fetchall()
        finally:
            con.close()

    try:
        _retry_locked(attempt)
    except duckdb.Error as exc:
        text = str(exc)
        if _held_by_another(exc) or "No space left" in text:
            raise
        return text.splitlines()[0][:300] if text else type(exc).__name__
    return None


def set_aside(path) -> Path:
    """Rename a DuckDB file (and its ``.wal``) to ``<name>.corrupt-<UTC time>`` beside it.

    Nothing is deleted: the figures the file still holds can be recovered
    from it, and a new store can start under the old name.
    """
    path = Path(path)
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    os.replace(path, aside)
    wal = path.with_name(path.name + ".wal")
    if wal.exists():
        os.replace(wal, aside.with_name(aside.name + ".wal"))
    return aside


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


# --------------------------------------------------------------------------- result tables

#: Folder of a stage's output where :func:`write_tables` keeps its tables for machines.
TABLES_FOLDER = "tables"


def _arrow_ready(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with columns Parquet cannot hold as they are (mixed kinds in one column)
    written as text; lists stay lists."""
    import pyarrow as pa

    out = table.copy()
    out.columns = [str(c) for c in out.columns]
    for c in out.columns:
        try:
            pa.array(out[c], from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            out[c] = out[c].map(lambda v: v if v is None or (isinstance(v, float) and math.isnan(v))
                                else str(v))
    return out


def write_tables(tables: dict[str, pd.DataFrame], folder) -> list[Path]:
    """Save a stage's result tables as Parquet files in ``folder`` (one per table).

    The tables keep their canonical columns (codes, not labels) and their
    ``attrs`` (the view's date and window, a plan's history source ...), so a
    later step reads exactly what the stage computed without running it
    again (:func:`read_tables`, :func:`read_client_results`). Each file is
    written atomically. Tables whose ``attrs`` cannot be saved keep their rows.
    """
    import json

    from crmlib._files import atomic_path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in tables.items():
        if not isinstance(table, pd.DataFrame):
            continue
        frame = _arrow_ready(table.reset_index(drop=True))
        try:
            json.dumps(table.attrs, default=str)
            frame.attrs = json.loads(json.dumps(table.attrs, default=str))
        except (TypeError, ValueError):
            frame.attrs = {}
        path = folder / f"{name}.parquet"
        with atomic_path(path) as tmp:
            frame.to_parquet(tmp, index=False)
        written.append(path)
    return written


def read_tables(folder) -> dict[str, pd.DataFrame]:
    """The tables :func:`write_tables` saved in ``folder``, by name (empty when none)."""
    folder = Path(folder)
    if not folder.is_dir():
        return {}
    return {p.stem: pd.read_parquet(p) for p in sorted(folder.glob("*.parquet"))}


def read_client_results(client_dir) -> dict[str, dict]:
    """What every stage of one client recorded: ``{stage: {"values": ..., "tables": ...}}``.

    ``client_dir`` is the client's folder of an engagement run (one folder per
    stage, each with ``results.json`` and a ``tables`` folder). Stages that
    recorded nothing are left out; hidden (staging) folders are skipped.
    """
    import json

    client_dir = Path(client_dir)
    out: dict[str, dict] = {}
    if not client_dir.is_dir():
        return out
    for stage_dir in sorted(p for p in client_dir.iterdir()
                            if p.is_dir() and not p.name.startswith(".")):
        results = stage_dir / "results.json"
        if not results.is_file():
            continue
        try:
            values = json.loads(results.read_text(encoding="utf-8")).get("values") or {}
        except ValueError:
            values = {}
        out[stage_dir.name] = {"values": values,
                               "tables": read_tables(stage_dir / TABLES_FOLDER)}
    return out
