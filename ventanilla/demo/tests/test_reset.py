"""Building the demo twice: determinism, --reset, refusals, and the history steps' hooks."""

from datetime import date
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from ventanilla.core.errors import DomainError
from ventanilla.demo.generator import HistoryStep, build_demo, network_digest, reset_demo
from ventanilla.demo.models import DemoBuild
from ventanilla.org.models import (
    EmergencyContact,
    Employee,
    GroupMembership,
    OrgGroup,
    OrgUnit,
    PostAssignment,
)

AS_OF = date(2026, 6, 30)
# The network alone, where a test is about the network: the history steps have tests of
# their own, and the tests below that build with every step.
NETWORK_ONLY: list[HistoryStep] = []
pytestmark = pytest.mark.django_db


def contents():
    """What a build made, without database ids."""
    return {
        "units": list(OrgUnit.objects.order_by("path").values_list("code", "name", "path")),
        "staff": list(
            Employee.objects.order_by("staff_number").values_list(
                "staff_number", "name", "hire_on", "phone"
            )
        ),
        "digest": network_digest(),
    }


def row_counts():
    models = (OrgUnit, Employee, PostAssignment, OrgGroup, GroupMembership, EmergencyContact)
    counts = {model.__name__: model.objects.count() for model in models}
    counts["User"] = get_user_model().objects.count()
    return counts


def test_same_seed_gives_the_same_network():
    build_demo(scale="subbranch", seed=7, as_of=AS_OF, history=NETWORK_ONLY)
    first = contents()
    reset_demo(history=NETWORK_ONLY)
    assert OrgUnit.objects.count() == 0
    build_demo(scale="subbranch", seed=7, as_of=AS_OF, history=NETWORK_ONLY)
    assert contents() == first


def test_another_seed_gives_another_network():
    build_demo(scale="subbranch", seed=7, as_of=AS_OF, history=NETWORK_ONLY)
    first = contents()
    build_demo(scale="subbranch", seed=8, as_of=AS_OF, reset=True, history=NETWORK_ONLY)
    second = contents()
    assert second["digest"] != first["digest"]
    assert second["staff"] != first["staff"]
    # The structure the logins rely on does not depend on the seed.
    assert {"XC", "XC01", "GS01"} <= {code for code, _name, _path in second["units"]}


def test_xiangcheng_is_the_same_at_city_scale_as_at_subbranch_scale():
    def xiangcheng():
        xc = OrgUnit.objects.get(code="XC")
        return list(
            Employee.objects.filter(unit__path__startswith=xc.path)
            .order_by("staff_number")
            .values_list("staff_number", "name", "unit__code", "post__code", "hire_on")
        )

    build_demo(scale="subbranch", seed=3, as_of=AS_OF, history=NETWORK_ONLY)
    small = xiangcheng()
    build_demo(scale="city", seed=3, as_of=AS_OF, reset=True, history=NETWORK_ONLY)
    assert xiangcheng() == small
    assert OrgUnit.objects.filter(kind="outlet").count() > 90


def test_reset_replaces_the_demo_without_duplicating_anything():
    build_demo(scale="subbranch", seed=1, as_of=AS_OF)
    before, digest = row_counts(), network_digest()
    build_demo(scale="subbranch", seed=1, as_of=AS_OF, reset=True)
    assert row_counts() == before
    assert network_digest() == digest
    assert DemoBuild.objects.count() == 1
    assert OrgUnit.objects.find_problems() == ([], [], [], [], [])


def test_building_again_without_reset_is_refused_and_changes_nothing():
    build_demo(scale="subbranch", seed=1, as_of=AS_OF)
    before = row_counts()
    with pytest.raises(DomainError, match="--reset"):
        build_demo(scale="subbranch", seed=1, as_of=AS_OF)
    assert row_counts() == before


def test_command_refuses_a_second_build_and_suggests_reset():
    call_command(
        "demo-data",
        "--scale",
        "subbranch",
        "--seed",
        "2",
        "--as-of",
        "2026-06-30",
        stdout=StringIO(),
    )
    with pytest.raises(CommandError, match="--reset"):
        call_command("demo-data", "--scale", "subbranch", "--seed", "2")
    assert DemoBuild.objects.get().seed == 2


def test_command_prints_the_summary_and_the_six_logins():
    out = StringIO()
    call_command("demo-data", "--seed", "5", "--as-of", "2026-06-30", "--reset", stdout=out)
    text = out.getvalue()
    for username in ("admin", "president", "outlet_head", "teller", "auditor", "other_teller"):
        assert f"  {username} " in text
    assert "password: demo" in text
    assert "Sub-branch" in text and "12" in text
    assert DemoBuild.objects.get().as_of == AS_OF


def test_command_rejects_a_malformed_date():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("demo-data", "--as-of", "30/06/2026")
    assert OrgUnit.objects.count() == 0


def test_unknown_scale_is_refused():
    with pytest.raises(DomainError, match="town"):
        build_demo(scale="town", seed=1)


def test_demo_is_not_mixed_into_an_organisation_it_did_not_create(network):
    units = OrgUnit.objects.count()
    with pytest.raises(DomainError, match="HO"):
        build_demo(scale="subbranch", seed=1, reset=True)
    assert OrgUnit.objects.count() == units
    assert not DemoBuild.objects.exists()


def test_reset_refuses_when_other_records_refer_to_the_demo():
    build_demo(scale="subbranch", seed=1, as_of=AS_OF)
    outside = OrgUnit.objects.add_root({"code": "ZZ", "name": "外部", "kind": "head_office"})
    xc01 = Employee.objects.filter(unit__code="XC01", is_active=True)
    EmergencyContact.objects.create(
        unit=outside,
        duty="客户投诉",
        primary=xc01[0],
        primary_phone=xc01[0].phone,
        backup=xc01[1],
        backup_phone=xc01[1].phone,
    )
    before = row_counts()
    with pytest.raises(DomainError, match="cannot be reset"):
        build_demo(scale="subbranch", seed=1, as_of=AS_OF, reset=True)
    assert row_counts() == before


def test_demo_beside_another_tree_takes_the_next_root_path():
    other = OrgUnit.objects.add_root({"code": "ZZ", "name": "外部", "kind": "head_office"})
    ctx = build_demo(scale="subbranch", seed=1, as_of=AS_OF)
    assert ctx.root.path > other.path and ctx.root.depth == 1
    assert OrgUnit.objects.find_problems() == ([], [], [], [], [])
    reset_demo()
    assert list(OrgUnit.objects.values_list("code", flat=True)) == ["ZZ"]


def test_history_steps_build_after_the_network_and_purge_before_it():
    calls = []

    def build(ctx):
        calls.append(("build", ctx.units["XC01"].name, len(ctx.employees)))

    def purge(root_path):
        # The network is still there when a step removes its records.
        calls.append(("purge", OrgUnit.objects.filter(path__startswith=root_path).exists()))

    step = HistoryStep("example", build=build, purge=purge)
    ctx = build_demo(scale="subbranch", seed=1, as_of=AS_OF, history=[step])
    assert calls == [("build", "相城营业部", len(ctx.employees))]
    assert reset_demo(history=[step]) is True
    assert calls[-1] == ("purge", True)
    assert reset_demo(history=[step]) is False
    assert OrgUnit.objects.count() == 0
    assert not get_user_model().objects.filter(username="president").exists()


def test_building_and_resetting_write_no_audit_entries():
    build_demo(scale="subbranch", seed=1, as_of=AS_OF)
    build_demo(scale="subbranch", seed=1, as_of=AS_OF, reset=True)
    reset_demo()
    assert not LogEntry.objects.exists()
