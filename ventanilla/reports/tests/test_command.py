"""``ventanilla report``: writes the file, or fails with a clear message and writes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from docx import Document as open_docx

pytestmark = pytest.mark.django_db


def test_rectification_by_unit_writes_the_latest_plan(network, xc_plan, tmp_path):
    out = tmp_path / "xc.docx"
    stdout = io.StringIO()
    call_command(
        "report",
        "rectification",
        "--unit",
        "XC",
        "--lang",
        "zh-hans",
        "--format",
        "docx",
        "--output",
        str(out),
        stdout=stdout,
    )
    text = "\n".join(p.text for p in open_docx(out).paragraphs)
    assert "相城支行关于提升客户满意度的整改报告" in text
    assert "Wrote" in stdout.getvalue()
    assert list(tmp_path.iterdir()) == [out]


def test_rectification_by_plan_as_a_user_in_scope(network, xc_plan, tmp_path):
    out = tmp_path / "plan.html"
    call_command(
        "report",
        "rectification",
        "--plan",
        xc_plan.plan.reference,
        "--lang",
        "es",
        "--format",
        "html",
        "--output",
        str(out),
        "--as",
        "subbranch_manager",
    )
    assert '<html lang="es">' in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["rectification", "--unit", "NOPE"], "No unit with code NOPE"),
        (["rectification", "--plan", "RP-1999-0001"], "No plan RP-1999-0001"),
        (["rectification"], "Give --plan REF or --unit CODE"),
        (["rectification", "--unit", "XC", "--as", "ghost"], "No user named ghost"),
        (["rectification", "--unit", "XC", "--as", "other_teller"], "No unit with code XC"),
        (["quarterly-pack", "--unit", "XC", "--quarter", "2026-07"], "2026-07 is not a quarter"),
        (["quarterly-pack", "--unit", "XC"], "needs --unit CODE and --quarter"),
        (
            ["quarterly-pack", "--unit", "XC01", "--quarter", "2026Q3", "--as", "teller_a"],
            "Only a manager of 相城营业部",
        ),
    ],
)
def test_bad_input_fails_cleanly_and_writes_nothing(network, xc_plan, tmp_path, args, message):
    out = tmp_path / "out.pdf"
    with pytest.raises(CommandError, match=message):
        call_command("report", *args, "--lang", "en", "--format", "pdf", "--output", str(out))
    assert not list(tmp_path.iterdir())


def test_output_must_match_the_format(network, xc_plan, tmp_path):
    with pytest.raises(CommandError, match=r"must end in \.pdf"):
        call_command(
            "report",
            "rectification",
            "--unit",
            "XC",
            "--format",
            "pdf",
            "--output",
            str(tmp_path / "x.docx"),
        )


def test_quarterly_pack_is_written(network, xc_plan, tmp_path):
    out = tmp_path / "pack.pdf"
    call_command(
        "report",
        "quarterly-pack",
        "--unit",
        "XC",
        "--quarter",
        "2026Q3",
        "--lang",
        "en",
        "--format",
        "pdf",
        "--output",
        str(out),
        "--as",
        "subbranch_manager",
    )
    assert out.read_bytes().startswith(b"%PDF")


def test_command_exits_with_status_1_on_an_unknown_unit(network, tmp_path, capsys):
    from django.core.management import ManagementUtility

    out = tmp_path / "x.pdf"
    utility = ManagementUtility(
        [
            "ventanilla",
            "report",
            "rectification",
            "--unit",
            "NOPE",
            "--format",
            "pdf",
            "--output",
            str(out),
        ]
    )
    with pytest.raises(SystemExit) as exit_:
        utility.execute()
    assert exit_.value.code == 1
    assert "No unit with code NOPE" in capsys.readouterr().err
    assert not out.exists()
