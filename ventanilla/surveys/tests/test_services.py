"""The write services: waves, column mappings and target ranks."""

from __future__ import annotations

import pytest

from ventanilla.core.errors import DomainError
from ventanilla.surveys import services
from ventanilla.surveys.models import Dimension, ResponseMapping, Segment, TargetRank
from ventanilla.surveys.tests.factories import make_wave


def _wave_kwargs(network, **overrides):
    kwargs = {
        "actor": network.subbranch_manager,
        "unit": network.subbranch,
        "name": "相城支行自查 2026Q2",
        "year": 2026,
        "quarter": 2,
        "source": "own_survey",
        "segments": Segment.objects.filter(code="corporate"),
        "dimensions": Dimension.objects.all(),
        "scale": "0-10",
        "has_recommend": False,
    }
    kwargs.update(overrides)
    return kwargs


def test_wave_create_by_a_manager_of_the_unit(network):
    wave = services.wave_create(**_wave_kwargs(network))
    assert wave.period == "2026Q2"
    assert wave.bounds == (0, 10)
    assert list(wave.segments.values_list("code", flat=True)) == ["corporate"]
    assert wave.dimensions.count() == 9


@pytest.mark.parametrize(
    ("override", "code"),
    [
        ({"name": "  "}, "no_name"),
        ({"quarter": 5}, "bad_quarter"),
        ({"source": "gossip"}, "bad_source"),
        ({"scale": "1-7"}, "bad_scale"),
        ({"segments": []}, "no_segments"),
        ({"dimensions": Dimension.objects.none()}, "no_overall"),
    ],
)
def test_wave_create_rejects_bad_input(network, override, code):
    if "dimensions" in override:
        override = {"dimensions": Dimension.objects.exclude(code="overall")}
    with pytest.raises(DomainError) as error:
        services.wave_create(**_wave_kwargs(network, **override))
    assert error.value.code == code


def test_wave_create_refuses_an_outlet_as_owner(network):
    with pytest.raises(DomainError) as error:
        services.wave_create(**_wave_kwargs(network, unit=network.outlet_a))
    assert error.value.code == "bad_unit"


@pytest.mark.parametrize("persona", ["teller_a", "manager_a", "other_teller"])
def test_wave_create_requires_a_manager_of_the_unit(network, persona):
    with pytest.raises(DomainError) as error:
        services.wave_create(**_wave_kwargs(network, actor=getattr(network, persona)))
    assert error.value.code == "forbidden"


def test_mapping_save_creates_then_replaces(network):
    first = services.response_mapping_save(
        actor=network.subbranch_manager,
        unit=network.subbranch,
        name="供应商A",
        columns={"respondent_ref": "编号", "dim:overall": "总体", "segment": ""},
    )
    assert first.columns == {"respondent_ref": "编号", "dim:overall": "总体"}
    second = services.response_mapping_save(
        actor=network.subbranch_manager,
        unit=network.subbranch,
        name="供应商A",
        columns={"respondent_ref": "ID"},
    )
    assert second.pk == first.pk
    assert ResponseMapping.objects.get().columns == {"respondent_ref": "ID"}


def test_mapping_save_rejects_unknown_targets_and_outsiders(network):
    with pytest.raises(DomainError, match="Unknown target"):
        services.response_mapping_save(
            actor=None, unit=network.subbranch, name="x", columns={"shoe_size": "A"}
        )
    with pytest.raises(DomainError) as error:
        services.response_mapping_save(
            actor=network.other_teller, unit=network.subbranch, name="x", columns={}
        )
    assert error.value.code == "forbidden"


def test_mapping_save_refuses_a_name_kept_outside_the_actors_reach(network):
    kept = services.response_mapping_save(
        actor=network.subbranch_manager,
        unit=network.subbranch,
        name="供应商A",
        columns={"respondent_ref": "编号"},
    )
    with pytest.raises(DomainError) as error:
        services.response_mapping_save(
            actor=network.manager_a,
            unit=network.outlet_a,
            name="供应商A",
            columns={"respondent_ref": "ID"},
        )
    assert error.value.code == "name_taken"
    kept.refresh_from_db()
    assert kept.unit == network.subbranch
    assert kept.columns == {"respondent_ref": "编号"}


def test_mapping_problems_names_what_is_missing(network):
    wave = make_wave(network.branch, has_recommend=False)
    problems = services.mapping_problems(
        {"respondent_ref": "id", "dim:loan_process": "loan", "recommend": "r"}, wave
    )
    text = " ".join(problems)
    assert "loan_process" in text
    assert "segment" in text and "unit" in text and "answered_on" in text
    assert "recommend" in text
    assert "at least one dimension" in text


def test_target_rank_set_creates_and_updates(network):
    corporate = Segment.objects.get(code="corporate")
    services.target_rank_set(
        actor=network.subbranch_manager, unit=network.subbranch, segment=corporate, rank=6
    )
    services.target_rank_set(
        actor=network.subbranch_manager, unit=network.subbranch, segment=corporate, rank=4
    )
    assert TargetRank.objects.get().rank == 4


def test_target_rank_set_guards(network):
    corporate = Segment.objects.get(code="corporate")
    with pytest.raises(DomainError):
        services.target_rank_set(actor=None, unit=network.subbranch, segment=corporate, rank=0)
    with pytest.raises(DomainError):
        services.target_rank_set(
            actor=network.teller_a, unit=network.subbranch, segment=corporate, rank=3
        )
