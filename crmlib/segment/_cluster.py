"""Segments from the features: k-means with a seed, a suggested number and its stability.

scikit-learn's :class:`~sklearn.cluster.KMeans` groups customers whose variables are alike;
the silhouette (Rousseeuw 1987) says how well separated the groups are, and the adjusted
Rand index (Hubert & Arabie 1985) between the segments of the whole sample and those of
bootstrap resamples says how stable they are (Hennig 2007, "Cluster-wise assessment of
cluster stability", reads a mean above 0.75 as stable and below 0.6 as not to be trusted).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.exceptions import DataError, DataProblem, ParameterError

#: Mean bootstrap adjusted Rand index at or above which segments count as stable
#: (Hennig 2007), and below which a number of segments is not suggested.
STABLE_ARI = 0.75
WEAK_ARI = 0.60


def _matrix(features: pd.DataFrame) -> np.ndarray:
    """Standardised feature matrix (numeric attributes as log(1 + x)): every column mean 0 and variance 1; the 0/1 columns of
    one categorical attribute share the weight of one variable."""
    x = features.to_numpy(dtype=float).copy()
    for j, col in enumerate(features.columns):
        if str(col).startswith("attr:"):
            x[:, j] = np.log1p(np.clip(x[:, j], 0, None))
    sd = x.std(axis=0)
    sd[sd == 0] = 1.0
    z = (x - x.mean(axis=0)) / sd
    groups: dict[str, list[int]] = {}
    for j, col in enumerate(features.columns):
        if str(col).startswith("cat:"):
            groups.setdefault(str(col).split("=", 1)[0], []).append(j)
    for cols in groups.values():
        z[:, cols] /= np.sqrt(len(cols))
    return z


def _kmeans(z: np.ndarray, k: int, seed: int, n_init: int):
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(z)


def _ordered(labels: np.ndarray, index) -> np.ndarray:
    """Labels renumbered 1..k by segment size (largest first), ties by first customer."""
    s = pd.Series(labels, index=np.asarray(index))
    sizes = s.value_counts()
    first = s.groupby(s).apply(lambda g: min(g.index))
    order = sorted(sizes.index, key=lambda c: (-sizes[c], first[c]))
    mapping = {c: i + 1 for i, c in enumerate(order)}
    return s.map(mapping).to_numpy()


def _bootstrap_ari(z: np.ndarray, labels: np.ndarray, k: int, seed: int, n_boot: int,
                   n_init: int) -> np.ndarray:
    from sklearn.metrics import adjusted_rand_score

    rng = np.random.default_rng(seed)
    out = []
    for b in range(n_boot):
        rows = rng.integers(0, len(z), len(z))
        model = _kmeans(z[rows], k, seed + b + 1, n_init)
        out.append(adjusted_rand_score(labels, model.predict(z)))
    return np.array(out)


class NeedsSegmentation:
    """Segments of customers by their needs and attributes (k-means, seeded).

    Parameters
    ----------
    n_segments : int, optional
        The number of segments; by default suggested from ``k_range`` (the best-separated
        number, by silhouette, among those whose bootstrap stability reaches
        :data:`WEAK_ARI`).
    k_range : tuple of int, default (2, 6)
        Smallest and largest number of segments tried when suggesting.
    seed : int, default 0
        Seed of every random draw: the same seed on the same data gives the same segments.
    n_bootstrap : int, default 20
        Bootstrap resamples for the stability of the chosen number (6 per number tried
        when suggesting).
    n_init : int, default 10
        k-means restarts per fit.

    Attributes
    ----------
    labels_ : Series
        Segment (1 = largest) per ``customer_id``.
    n_segments_ : int
    suggested_ : bool
        Whether the number was suggested rather than chosen.
    k_table_ : DataFrame
        ``n_segments``, ``silhouette``, ``stability`` (mean bootstrap ARI) per number tried
        (only the chosen one when ``n_segments`` was given).
    stability_ : DataFrame
        ``bootstrap``, ``ari``: one row per resample of the final fit.
    """

    def __init__(self, n_segments: int | None = None, *, k_range: tuple = (2, 6),
                 seed: int = 0, n_bootstrap: int = 20, n_init: int = 10):
        self.n_segments = n_segments
        self.k_range = k_range
        self.seed = seed
        self.n_bootstrap = n_bootstrap
        self.n_init = n_init

    def _check(self, n: int) -> list[int]:
        if self.n_segments is not None:
            if not isinstance(self.n_segments, (int, np.integer)) or self.n_segments < 2:
                raise ParameterError(f"n_segments must be a whole number of 2 or more; got "
                                     f"{self.n_segments!r}", parameter="n_segments",
                                     value=self.n_segments)
            ks = [int(self.n_segments)]
        else:
            lo, hi = self.k_range
            if not (2 <= lo <= hi):
                raise ParameterError(f"k_range must be (low, high) with 2 <= low <= high; got "
                                     f"{self.k_range!r}", parameter="k_range",
                                     value=self.k_range)
            ks = list(range(lo, hi + 1))
        if n < 3 * max(ks):
            raise DataError([DataProblem(
                "segment features", None,
                f"has {n} customers; {3 * max(ks)} or more are needed for {max(ks)} segments "
                f"(three per segment at least)")])
        return ks

    def fit(self, features: pd.DataFrame) -> NeedsSegmentation:
        """Fit the segments on :func:`segment_features`; returns self."""
        from threadpoolctl import threadpool_limits

        # One thread: the fits are small, and k-means' parallel threads only fight each
        # other (and every other process) for the cores; results do not depend on it.
        with threadpool_limits(1):
            return self._fit(features)

    def _fit(self, features: pd.DataFrame) -> NeedsSegmentation:
        from sklearn.metrics import silhouette_score

        if not isinstance(features, pd.DataFrame) or features.empty:
            raise ParameterError("features must be a non-empty DataFrame from "
                                 "segment_features", parameter="features",
                                 value=type(features).__name__)
        features = features.sort_index()
        ks = self._check(len(features))
        z = _matrix(features)
        rows = []
        fits = {}
        for k in ks:
            model = _kmeans(z, k, self.seed, self.n_init)
            fits[k] = model
            sil = float(silhouette_score(z, model.labels_, sample_size=min(len(z), 2000),
                                         random_state=self.seed))
            stab = np.nan
            if len(ks) > 1:
                stab = float(_bootstrap_ari(z, model.labels_, k, self.seed, 6,
                                            self.n_init).mean())
            rows.append({"n_segments": k, "silhouette": sil, "stability": stab})
        table = pd.DataFrame(rows)
        if len(ks) > 1:
            ok = table[table["stability"] >= WEAK_ARI]
            pool = ok if not ok.empty else table
            k = int(pool.sort_values(["silhouette", "n_segments"],
                                     ascending=[False, True]).iloc[0]["n_segments"])
        else:
            k = ks[0]
        model = fits[k]
        aris = _bootstrap_ari(z, model.labels_, k, self.seed, self.n_bootstrap, self.n_init)
        if len(ks) == 1:
            table.loc[0, "stability"] = float(aris.mean())
        self.k_table_ = table
        self.n_segments_ = k
        self.suggested_ = self.n_segments is None
        self.labels_ = pd.Series(_ordered(model.labels_, features.index),
                                 index=features.index, name="segment")
        self.stability_ = pd.DataFrame({"bootstrap": np.arange(1, len(aris) + 1), "ari": aris})
        return self

    def segments(self) -> pd.DataFrame:
        """``customer_id``, ``segment`` (1 = largest): one row per customer segmented."""
        return self.labels_.rename("segment").reset_index()

    def stability_summary(self) -> pd.Series:
        """``n_segments``, ``ari_mean``, ``ari_low`` and ``ari_high`` (5th and 95th
        percentiles of the bootstrap), ``stable`` (mean at or above :data:`STABLE_ARI`)."""
        a = self.stability_["ari"].to_numpy()
        return pd.Series({"n_segments": self.n_segments_, "ari_mean": float(a.mean()),
                          "ari_low": float(np.quantile(a, 0.05)),
                          "ari_high": float(np.quantile(a, 0.95)),
                          "stable": bool(a.mean() >= STABLE_ARI)})


def segment_customers(features: pd.DataFrame, *, n_segments: int | None = None,
                      k_range: tuple = (2, 6), seed: int = 0,
                      n_bootstrap: int = 20) -> NeedsSegmentation:
    """Fit :class:`NeedsSegmentation` on ``features`` (one call for the notebooks)."""
    return NeedsSegmentation(n_segments, k_range=k_range, seed=seed,
                             n_bootstrap=n_bootstrap).fit(features)
