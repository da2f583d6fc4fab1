"""The importance-performance reading agrees with the significance tests and the zone of
tolerance (Martilla & James 1977 grid; zone of tolerance of Parasuraman, Zeithaml & Berry 1994)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from crmlib import io, servqual
from crmlib.exceptions import ParameterError

SAMPLES = Path(__file__).resolve().parents[1] / "data_samples"
DIMS = ["tangibles", "reliability", "responsiveness", "assurance", "empathy"]


@pytest.fixture(scope="module", params=["movil-andina", "hotel-mirador"])
def sample(request):
    folder = SAMPLES / request.param
    out = servqual.servqual_analysis(io.read_client_table(folder, "servqual_responses"),
                                     io.read_client_table(folder, "servqual_respondents"))
    return request.param, out


def test_no_dimension_significantly_below_expectations_is_overkill(sample):
    """Móvil Andina: 06 labelled Seguridad (assurance) and Elementos tangibles "possible
    overkill" although both gaps are significantly negative."""
    _, out = sample
    ipa = out["ipa"].set_index("dimension")
    tests = out["dimension_tests"].set_index("dimension")
    short = tests.index[tests["significant"] & (tests["mean_diff"] < 0)]
    assert len(short) == 5  # every dimension falls significantly short on both samples
    assert not (ipa.loc[short, "quadrant"] == "overkill").any()
    # the grid alone still says overkill: the reading corrects it and says why
    fixed = ipa[(ipa["grid_quadrant"] == "overkill")]
    assert {"tangibles", "assurance"} <= set(fixed.index)
    assert (fixed["quadrant"] == "low_priority").all()
    assert (fixed["basis"] == "shortfall_not_overkill").all()


def test_hotel_empathy_below_adequate_service_is_where_to_concentrate(sample):
    """Hotel Mirador: 06 labelled Empatía "low priority" although it is the only dimension
    below adequate service and the top driver in the regression."""
    name, out = sample
    if name != "hotel-mirador":
        assert "zone_of_tolerance" not in out
        return
    zone = out["zone_of_tolerance"].set_index("dimension")
    assert list(zone.index[zone["position"] == "below"]) == ["empathy"]
    reg = out["importance_regression"].set_index("dimension")
    assert reg["derived_importance"].idxmax() == "empathy"
    ipa = out["ipa"].set_index("dimension")
    assert ipa.loc["empathy", "grid_quadrant"] == "low_priority"
    assert ipa.loc["empathy", "quadrant"] == "concentrate"
    assert ipa.loc["empathy", "basis"] == "below_adequate"
    assert ipa.loc["empathy", "priority"] == 1
    # its stated importance (19.85 points) sits on the cut (20, the mean of 100 points)
    assert ipa.loc["empathy", "on_cut"]
    assert "línea de corte" in ipa.loc["empathy", "reading"]


def _scores(importance, perception, gap):
    return pd.DataFrame({"dimension": [*DIMS, "overall"], "importance": [*importance, None],
                         "perception": [*perception, None], "gap": [*gap, None]})


def test_a_point_on_the_importance_cut_takes_its_side_from_the_derived_importance():
    scores = _scores([20.2, 30, 25, 15, 10], [5.8, 4.0, 4.2, 6.0, 6.1],
                     [-0.3, -1.0, -0.9, 0.2, 0.3])
    reg = pd.DataFrame({"dimension": DIMS, "derived_importance": [5, 40, 30, 15, 10.0],
                        "p_value": [0.4, 0.001, 0.01, 0.2, 0.3]})
    plain = servqual.ipa_table(scores, language="en").set_index("dimension")
    # 20.2 is above the mean importance (20.04) by a hair: the grid says "keep up"
    assert plain.loc["tangibles", "quadrant"] == "keep_up" and plain.loc["tangibles", "on_cut"]
    assert "sits on a cut" in plain.loc["tangibles", "reading"]
    read = servqual.ipa_table(scores, regression=reg, language="en").set_index("dimension")
    # the regression says tangibles barely matters: below the cut after all
    assert read.loc["tangibles", "quadrant"] == "overkill"
    assert read.loc["tangibles", "basis"] == "on_cut"
    assert "the other evidence decides" in read.loc["tangibles", "reading"]
    # points away from the cut keep their grid quadrant
    away = read.drop(index="tangibles")
    assert (away["quadrant"] == away["grid_quadrant"]).all()
    assert (away["basis"] == "grid").all()


def test_a_tolerance_of_zero_puts_only_exact_points_on_the_cut():
    scores = _scores([20.2, 30, 25, 15, 10], [5.8, 4.0, 4.2, 6.0, 6.1],
                     [-0.3, -1.0, -0.9, 0.2, 0.3])
    read = servqual.ipa_table(scores, cut_tolerance=0)
    assert not read["on_cut"].any()
    with pytest.raises(ParameterError, match="cut_tolerance"):
        servqual.ipa_table(scores, cut_tolerance=0.7)


def test_without_tests_or_zone_the_grid_stands_and_says_so():
    scores = _scores([10, 30, 25, 20, 15], [6.0, 4.0, 4.2, 5.5, 6.1],
                     [-0.3, -1.0, -0.9, -0.4, -0.2])
    read = servqual.ipa_table(scores, cut_tolerance=0)
    assert (read["quadrant"] == read["grid_quadrant"]).all()
    assert read["significant_shortfall"].isna().all() and read["zone_position"].isna().all()
    assert read.set_index("dimension").loc["tangibles", "quadrant"] == "overkill"


def test_the_reading_for_the_client_has_labels_and_no_codes(sample):
    name, out = sample
    table = servqual.ipa_reading(out["ipa"], language="en")
    # the evidence the reading rests on: the tests always, the zone where it was asked
    zone = ["Zone of tolerance"] if name == "hotel-mirador" else []
    assert list(table.columns) == ["Priority", "Dimension", "Importance (of 100)", "Performance",
                                   "Gap P−E", "Grid quadrant", "Quadrant",
                                   "Significant shortfall", *zone, "Reading"]
    assert set(table["Significant shortfall"]) == {"Yes"}
    assert list(table["Priority"]) == [1, 2, 3, 4, 5]
    codes = {"concentrate", "keep_up", "low_priority", "overkill", *DIMS}
    for col in ("Dimension", "Grid quadrant", "Quadrant"):
        assert not set(table[col]) & codes
    assert "Possible overkill" in set(table["Grid quadrant"])
    assert "Possible overkill" not in set(table["Quadrant"])
