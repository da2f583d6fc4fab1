"""Helpers shared by the plot modules."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import Formatter

__all__ = ["LocaleFormatter", "localize_axes"]


def get_ax(ax=None, *, figsize=(7, 4)):
    """Return ``ax``, or the Axes of a new figure of ``figsize``."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _display_text(text: str) -> None:
    from IPython.display import Markdown, display

    display(Markdown(text))


def nothing_to_draw(has_data: bool, ax, title: str, language: str) -> bool:
    """Stand-in for a chart with nothing to draw; True when the caller should stop.

    With ``has_data`` False and no ``ax`` given, no figure is made: one sentence
    naming the chart is displayed instead (an empty chart tells a reader
    nothing). With an ``ax`` given (the caller laid out the figure), the
    sentence is written on it. ``title`` is the chart's title, already in
    ``language``.
    """
    from crmlib.i18n import t

    if has_data:
        return False
    text = t("plot.nothing_to_draw", language, title=title)
    if ax is None:
        _display_text(f"*{text}*")
    else:
        ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, wrap=True)
        ax.set_axis_off()
    return True


def figure_png(fig):
    """A matplotlib Figure as an IPython PNG image, whatever the backend."""
    import io

    from IPython.display import Image

    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    return Image(data=buf.getvalue(), format="png")


def new_figure(figsize=(7, 4), **subplot_kw):
    """A standalone Figure and its Axes, outside pyplot's global figure list.

    Widgets draw on such figures: nothing is shown by the inline backend at the
    end of the cell, and nothing is left open in pyplot.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    return fig, fig.add_subplot(**subplot_kw)


def replace_output(out, *items) -> None:
    """Show ``items`` (tables, images, Markdown) in the ipywidgets ``Output`` ``out``.

    The outputs are set on the widget directly instead of capturing a display
    with ``with out:``, which keeps working when a notebook runs headless under
    papermill (a captured display there can leave the executing client waiting
    on the kernel) and lets tests read what is shown.
    """
    out.outputs = ()
    for item in items:
        out.append_display_data(item)


class LocaleFormatter(Formatter):
    """A matplotlib tick formatter writing numbers with the i18n formatting layer.

    ``kind`` is ``"number"``, ``"count"`` or ``"percent"`` (values are shares,
    0.25 → ``25 %``). Decimals follow the tick spacing, so ticks 0, 0.5, 1 read
    ``0,0 0,5 1,0`` in Spanish and ``0.0 0.5 1.0`` in English.
    """

    crm_kind: str

    def __init__(self, language: str = "es", kind: str = "number"):
        from crmlib.i18n import check_language

        self.crm_language = check_language(language)
        if kind not in ("number", "count", "percent"):
            raise ValueError(f"kind must be one of ['number', 'count', 'percent']; got {kind!r}")
        self.crm_kind = kind
        self._decimals = None

    def _decimals_for(self, values) -> int:
        scale = 100.0 if self.crm_kind == "percent" else 1.0
        v = np.unique(np.asarray(values, dtype=float)[np.isfinite(values)] * scale)
        if len(v) < 2:
            return 0
        step = float(np.min(np.diff(v)))
        if step <= 0:
            return 0
        # enough decimals to tell every tick apart as drawn: steps of 0.25 need two
        # (4,75 5,00 5,25), steps of 0.2 one (4,8 5,0 5,2)
        for decimals in range(int(max(0, -np.floor(np.log10(step) + 1e-9))), 3):
            if np.allclose(v, np.round(v, decimals), atol=1e-9 * max(1.0, np.abs(v).max())):
                return decimals
        return 3

    def format_ticks(self, values):
        self._decimals = self._decimals_for(values)
        try:
            return [self(v, i) for i, v in enumerate(values)]
        finally:
            self._decimals = None

    def __call__(self, x, pos=None):
        from crmlib.i18n import format_count, format_number, format_percent

        language = self.crm_language
        if self.crm_kind == "count":
            return format_count(x, language)
        if self.crm_kind == "percent":
            return format_percent(x, language, decimals=self._decimals or 0) \
                if self._decimals is not None else format_percent(x, language, decimals=1)
        if self._decimals is None:
            return format_number(x, language, decimals=2, trim=True)
        return format_number(x, language, decimals=self._decimals)


def localize_axes(ax, language: str = "es"):
    """Write the numeric tick labels of ``ax`` in ``language``; return ``ax``.

    Every ``plot_*`` ends with it: default numeric ticks become locale numbers,
    percent ticks (``PercentFormatter(1.0)``) locale percentages; category,
    date and already-localized axes are left as they are.
    """
    from matplotlib.ticker import PercentFormatter, ScalarFormatter

    axes = ax if isinstance(ax, (list, tuple, np.ndarray)) else [ax]
    for a in np.ravel(axes):
        for axis in (a.xaxis, a.yaxis):
            fmt = axis.get_major_formatter()
            if getattr(fmt, "crm_kind", None):
                continue
            if isinstance(fmt, PercentFormatter) and getattr(fmt, "xmax", None) == 1.0:
                axis.set_major_formatter(LocaleFormatter(language, "percent"))
            elif isinstance(fmt, ScalarFormatter) and axis.get_scale() == "linear" \
                    and not _is_categorical(axis):
                axis.set_major_formatter(LocaleFormatter(language, "number"))
    return ax


def _is_categorical(axis) -> bool:
    units = getattr(axis, "units", None)
    return units is not None and type(units).__name__ == "UnitData"
