"""Import of responses through a column mapping: every row or none, idempotent."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from ventanilla.core.tabular import importer_for, write_xlsx
from ventanilla.surveys.importing import detect_language, guess_mapping, responses_import
from ventanilla.surveys.models import Response, ResponseMapping, ResponseScore
from ventanilla.surveys.tests.factories import make_wave

HEADER = "编号,客户类型,网点,日期,总体,等候,收费,推荐,意见"
COLUMNS = {
    "respondent_ref": "编号",
    "segment": "客户类型",
    "unit": "网点",
    "answered_on": "日期",
    "dim:overall": "总体",
    "dim:waiting_time": "等候",
    "dim:fees": "收费",
    "recommend": "推荐",
    "comment": "意见",
}
GOOD = [
    "A1,corporate,XC01,2026-03-02,5,4,3,9,排队太久",
    "A2,对公客户,XC02,2026/3/5,4,,2,7,",
    "A3,high_end_individual,XC01,2026年3月6日,3,3,3,,Muy buena atención",
]


def _csv(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


@pytest.fixture
def wave(network):
    return make_wave(network.subbranch)


def _run(wave, data, actor=None, dry_run=False, filename="vendor.csv", columns=COLUMNS):
    return responses_import(
        actor=actor, wave=wave, columns=columns, data=data, filename=filename, dry_run=dry_run
    )


def test_import_creates_responses_and_scores(wave):
    result = _run(wave, _csv(*GOOD))
    assert result.is_applied and not result.errors
    assert result.counts["responses"].created == 3
    a2 = Response.objects.get(respondent_ref="A2")
    assert a2.segment.code == "corporate" and a2.unit.code == "XC02"
    assert str(a2.answered_on) == "2026-03-05"
    assert dict(a2.scores.values_list("dimension__code", "score")) == {
        "overall": 4,
        "waiting_time": None,
        "fees": 2,
    }
    assert Response.objects.get(respondent_ref="A1").comment_language == "zh"
    assert Response.objects.get(respondent_ref="A3").comment_language == "es"
    assert Response.objects.get(respondent_ref="A3").recommend is None


def test_importing_the_same_file_twice_changes_nothing(wave):
    _run(wave, _csv(*GOOD))
    again = _run(wave, _csv(*GOOD))
    assert again.counts["responses"].unchanged == 3
    assert again.counts["responses"].created == 0
    assert Response.objects.count() == 3
    assert ResponseScore.objects.count() == 9


def test_a_changed_row_is_updated(wave):
    _run(wave, _csv(*GOOD))
    changed = [GOOD[0].replace(",5,4,3,", ",2,2,2,"), *GOOD[1:]]
    result = _run(wave, _csv(*changed))
    assert (result.counts["responses"].updated, result.counts["responses"].unchanged) == (1, 2)
    a1 = Response.objects.get(respondent_ref="A1")
    assert sorted(a1.scores.values_list("score", flat=True)) == [2, 2, 2]
    assert ResponseScore.objects.count() == 9


def test_dry_run_writes_nothing(wave):
    result = _run(wave, _csv(*GOOD), dry_run=True)
    assert not result.is_applied and result.counts["responses"].created == 3
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("B1,corporate,YT01,2026-03-02,5,4,3,9,", "Unknown unit code YT01"),
        ("B1,retail,XC01,2026-03-02,5,4,3,9,", "Unknown segment retail"),
        ("B1,corporate,XC01,2026-03-02,6,4,3,9,", "outside the scale 1-5"),
        ("B1,corporate,XC01,2026-03-02,4.5,4,3,9,", "not a whole number"),
        ("B1,corporate,XC01,2026-02-30,5,4,3,9,", "Bad date 2026-02-30"),
        ("B1,corporate,XC01,2026-03-02,5,4,3,11,", "from 0 to 10"),
        ("A1,corporate,XC01,2026-03-02,5,4,3,9,", "already appears on line 2"),
        (",corporate,XC01,2026-03-02,5,4,3,9,", "reference is missing"),
    ],
)
def test_one_bad_row_writes_nothing_and_names_its_line(wave, row, message):
    result = _run(wave, _csv(GOOD[0], GOOD[1], row))
    assert not result.is_applied
    assert not Response.objects.exists()
    assert len(result.errors) == 1
    assert result.errors[0].line == 4
    assert message in result.errors[0].message
    assert "line 4" in str(result.errors[0])


def test_mapping_naming_a_missing_column_is_refused(wave):
    result = _run(wave, _csv(*GOOD), columns={**COLUMNS, "customer_ref": "客户号"})
    assert [e.message for e in result.errors] == ["The file has no column 客户号."]


def test_xlsx_files_import_like_csv(wave):
    rows = [line.split(",") for line in GOOD]
    data = write_xlsx([("回访", HEADER.split(","), rows)])
    result = _run(wave, data, filename="vendor.xlsx")
    assert result.is_applied and Response.objects.count() == 3


def test_rows_outside_the_actors_management_are_refused(wave, network):
    result = _run(wave, _csv(*GOOD), actor=network.manager_a)
    assert not result.is_applied
    assert [e.line for e in result.errors] == [3]  # XC02 is not manager_a's outlet
    assert "not a manager of unit XC02" in result.errors[0].message
    assert _run(wave, _csv(GOOD[0]), actor=network.manager_a).is_applied


def test_guess_mapping_reads_codes_and_chinese_names(wave):
    guessed = guess_mapping(("编号", "unit", "date", "总体满意度", "fees", "其他"), wave)
    assert guessed == {
        "respondent_ref": "编号",
        "unit": "unit",
        "answered_on": "date",
        "dim:overall": "总体满意度",
        "dim:fees": "fees",
    }


@pytest.mark.parametrize(
    ("text", "lang"),
    [("排队太久", "zh"), ("La espera fue muy larga", "es"), ("Long queue", "en"), ("", "")],
)
def test_detect_language(text, lang):
    assert detect_language(text) == lang


def test_import_responses_command_uses_a_saved_mapping(wave, network, tmp_path, capsys):
    ResponseMapping.objects.create(name="vendor", unit=network.subbranch, columns=COLUMNS)
    path = tmp_path / "vendor.csv"
    path.write_bytes(_csv(*GOOD))
    call_command("import", "responses", str(path), wave=wave.pk, mapping="vendor")
    assert Response.objects.count() == 3
    assert "3 created" in capsys.readouterr().out
    path.write_bytes(_csv(GOOD[0], "Z9,corporate,NOPE,2026-03-02,5,4,3,9,"))
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import", "responses", str(path), wave=wave.pk, mapping="vendor")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import", "responses", str(path), wave=wave.pk, mapping="nope")


def test_the_registered_importer_explains_what_it_needs(wave):
    importer = importer_for("responses")
    result = importer.run(actor=None, data=_csv(*GOOD), filename="v.csv", dry_run=False)
    assert "--wave" in result.errors[0].message
    assert importer.template().startswith(b"PK")
