"""Helpers shared by the plot modules."""

from __future__ import annotations

import matplotlib.pyplot as plt

__all__: list[str] = []


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
