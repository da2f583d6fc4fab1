"""What a notebook cell shows a reader when it records a value for the results store."""

from __future__ import annotations

import json
import re

import pandas as pd

from crmlib import clv
from crmlib.differentiate import customer_summary
from crmlib.report import Recorder


def _shown(value) -> dict:
    """What IPython displays for a cell whose last expression is ``value``."""
    from IPython.core.interactiveshell import InteractiveShell

    data, _ = InteractiveShell.instance().display_formatter.format(value)
    return data


def _fit():
    tx = pd.DataFrame({"customer_id": list("ABCDEFGH") + ["A", "B"],
                       "date": pd.to_datetime([f"2024-{m:02d}-01" for m in range(1, 11)]),
                       "amount": [10.0] * 10})
    return clv.fit_models(customer_summary(tx, as_of="2024-12-31", time_unit="W"),
                          time_unit="W")


def test_recording_the_clv_fit_shows_nothing_to_the_reader(tmp_path):
    # notebook 02 ends a cell with rec.value("clv_fit", clv_fit.record()): the report
    # showed "{'usable': True, 'problems': [], 'n_customers': ...}"
    rec = Recorder(tmp_path, client_id="c", stage="02_differentiate")
    shown = rec.value("clv_fit", _fit().record())
    assert _shown(shown) == {}
    assert _shown({"usable": True}) != {}  # a plain dict would be shown
    rec.save()
    saved = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    record = saved["values"]["clv_fit"]
    assert record["usable"] is False
    assert {"too_few_customers", "too_few_repeat_buyers"} <= set(record["problems"])
    assert (record["n_customers"], record["n_repeat_buyers"]) == (8, 2)


def test_a_table_sets_words_left_and_gives_a_sentence_room():
    from crmlib.report import show

    table = pd.DataFrame({"dimension": ["tangibles", "empathy"], "gap": [-0.5, -1.25],
                          "reading": ["Baja prioridad: " + "x" * 70, "Concentrarse aquí."]})
    html = show(table, language="es").to_html()
    styles = html.split("</style>")[0]
    # the words columns (0 and 2) align left, the figures (1) keep the right
    assert "row0_col0" in styles and "row0_col2" in styles and "col1" not in styles
    assert styles.count("text-align: left") == 4  # their cells and their headers
    assert "min-width: 16em" in styles.split("row0_col2")[1]
    assert "-1,25" in html


def test_figures_already_written_in_words_line_up_on_the_right():
    """Notebook 02 shows its tables through ``readable``, which writes every cell as a
    string: counts, measures and shares were set to the left like words."""
    from crmlib.report import show

    table = pd.DataFrame({"customer_id": ["0003002", "0011762"],
                          "n_contracts": ["1", "2"], "residual_value": ["6.170,04", "-5,98"],
                          "share": ["21 %", "1,5\u00a0%"], "segment": ["Campeones", "12 meses"]})
    styles = show(table, language="es").to_html().split("</style>")[0]
    left = {int(c) for c in re.findall(r"row0_col(\d+)", styles)}
    assert left == {0, 4}  # the id and the words; the three columns of figures stay right
    headers = set(re.findall(r"th\.col_heading\.col(\d+)", styles))
    assert headers == {"0", "4"}  # and so do their headers


def test_any_recorded_dict_or_list_shows_nothing_but_keeps_its_content(tmp_path):
    # notebook 02 ended a cell with rec.value("clv_model", choice.record()): the report
    # showed "False", "n_contracts" and "no_contracts" to the reader
    rec = Recorder(tmp_path, client_id="c", stage="02_differentiate")
    record = {"business": "non_contractual", "decided_by": "no_contracts", "n_contracts": 0}
    shown = rec.value("clv_model", record)
    assert _shown(shown) == {} and shown == record and isinstance(shown, dict)
    listed = rec.value("steps", ["registered", "loyal"])
    assert _shown(listed) == {} and listed == ["registered", "loyal"]
    assert _shown(rec.value("n", 3)) != {}  # a number is the reader's figure
    rec.save()
    saved = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert saved["values"]["clv_model"] == record and saved["values"]["steps"] == listed
