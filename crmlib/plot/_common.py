"""Helpers shared by the plot modules."""

from __future__ import annotations

import matplotlib.pyplot as plt

__all__: list[str] = []


def get_ax(ax=None, *, figsize=(7, 4)):
    """Return ``ax``, or the Axes of a new figure of ``figsize``."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax
