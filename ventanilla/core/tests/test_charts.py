import pytest
from django.template import Context, Template

from ventanilla.core.charts import Chart, Series


def test_series_must_match_labels():
    with pytest.raises(ValueError, match="has 1 values for 2 labels"):
        Chart(id="x", title="t", labels=["a", "b"], series=[Series("s", [1.0])])


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown chart kind"):
        Chart(id="x", title="t", labels=[], kind="pie")


def test_tag_renders_canvas_spec_and_the_same_numbers_as_a_table():
    c = Chart(
        id="demo",
        title="Mean",
        labels=["Q1", "Q2"],
        series=[Series("XC", [4.125, None])],
        decimals=2,
    )
    html = Template("{% load charts %}{% chart c %}").render(Context({"c": c}))
    assert 'data-chart="chart-spec-demo"' in html
    assert 'id="chart-spec-demo"' in html
    assert '<td class="text-end">4.12</td>' in html or '<td class="text-end">4.13</td>' in html
    assert "–" in html  # a missing value is shown as such, not as zero


def test_scatter_table_lists_points():
    c = Chart(
        id="s",
        title="",
        labels=[],
        kind="scatter",
        points=[(0.3, 4.1, "Fees")],
        x_label="Importance",
        y_label="Score",
    )
    header, rows = c.table()
    assert header == ["", "Importance", "Score"]
    assert rows == [["Fees", "0.30", "4.10"]]
