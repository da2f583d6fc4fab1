"""Instruments as data: loading, reverse scoring, consultant items."""

import pandas as pd
import pytest

from crmlib.exceptions import DataError, ParameterError
from crmlib.instruments import load_instrument

YAML = """
name: t
title: {es: T, en: T}
scale: {min: 1, max: 7, anchors: {es: {1: malo, 7: bueno}, en: {1: bad, 7: good}}}
parts: [expectation, perception]
dimensions: {a: {es: A, en: A}}
items:
  - {id: X1, dimension: a, text: {es: hola, en: hi}}
  - {id: X2, dimension: a, reverse: true, text: {es: adios, en: bye}}
"""


@pytest.fixture
def inst_path(tmp_path):
    p = tmp_path / "t.yaml"
    p.write_text(YAML, encoding="utf-8")
    return p


def test_load_and_reverse(inst_path):
    inst = load_instrument(inst_path)
    assert inst.item_ids == ["X1", "X2"]
    assert inst.parts == ("expectation", "perception")
    # reversed on a 1-7 scale: x -> 8 - x
    assert inst.reverse_score([2, 2], ["X1", "X2"]).tolist() == [2.0, 6.0]


def test_consultant_items_add_and_replace(inst_path, tmp_path):
    extra = tmp_path / "mine.csv"
    pd.DataFrame({"item_id": ["X1", "X3"], "dimension": ["a", "b"],
                  "text_es": ["nuevo", "otro"], "text_en": ["new", "other"],
                  "dimension_en": ["A", "Bee"]}).to_csv(extra, index=False)
    inst = load_instrument(inst_path, items=extra)
    assert inst.item_ids == ["X1", "X2", "X3"]
    assert inst.item_text("X1", "en") == "new"
    assert inst.dimension_label("b", "en") == "Bee"


def test_bad_instrument_errors(inst_path, tmp_path):
    with pytest.raises(ParameterError, match="instrument must be one of"):
        load_instrument("no-such-instrument")
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"item_id": ["Z", "Z"], "dimension": ["a", "a"],
                  "text_es": ["x", "y"]}).to_csv(bad, index=False)
    with pytest.raises(DataError, match="item_id' has duplicate values"):
        load_instrument(inst_path, items=bad)
