"""German views of the index on the hand example of test_social_index (worked example, legend, matrix)."""

from __future__ import annotations

from sozdash.social_index import views as index_views
from sozdash.social_index.compute import compute_index
from tests.social_index.test_needs import NAMES
from tests.social_index.test_social_index import CATALOGUE, CONFIG, observations


def test_worked_example_spells_out_every_step():
    # F: armut 13 → mean 10, SD 2, z = +1,5, direction −1 → contribution −1,5.
    # Status: raw −1,125 over raws with mean 0 and SD √0,5 = 0,71 → Z = −1,59 → sehr niedrig.
    result = compute_index(observations(), CATALOGUE, CONFIG)
    table, steps = index_views.worked_example(result, "F", NAMES)
    armut = table.set_index("Indikator").loc["Armutsquote"]
    assert (armut["Wert x"], armut["Mittel der Gebiete"], armut["Standardabweichung"]) == (
        "13,00",
        "10,00",
        "2,00",
    )
    assert (armut["z = (x − Mittel) / SD"], armut["Beitrag = Richtung · z"]) == ("+1,50", "−1,50")
    status = next(step for step in steps if step.startswith("Statusindex"))
    assert "Mittel 0,00, SD 0,71" in status and status.endswith("= −1,59 → Status sehr niedrig.")
    assert steps[-1] == "Besonderer Aufmerksamkeitsbedarf: ja."
    _table, excluded = index_views.worked_example(result, "G", NAMES)
    assert excluded[-1] == "Gebiet G ist nicht bewertet: weniger als 300 Einwohner."


def test_legend_counts_and_matrix_labels():
    result = compute_index(observations(), CATALOGUE, CONFIG)
    legend = index_views.legend(result, "status").data.set_index("Klasse")["Gebiete"]
    assert legend.to_dict() == {
        "Status hoch": 1, "Status mittel": 3, "Status niedrig": 1, "Status sehr niedrig": 1, "nicht bewertet": 1,
    }  # fmt: skip
    table = index_views.matrix_table(result).set_index("Status \\ Dynamik")
    assert table.at["Status mittel", "Dynamik stabil"] == "Gebiet B, Gebiet C"
    assert table.at["Status hoch", "Dynamik negativ"] == "–"
