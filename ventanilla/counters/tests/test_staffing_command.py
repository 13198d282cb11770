"""The `staffing` command: figures for people, JSON for machines, clear errors for bad input."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

BASE = [
    "--arrivals",
    "100",
    "--interval-minutes",
    "30",
    "--handling-seconds",
    "180",
    "--target-seconds",
    "20",
    "--service-level",
    "0.8",
]
ROOT = Path(__file__).resolve().parents[3]


def run(*args: str) -> str:
    out = StringIO()
    call_command("staffing", *args, stdout=out)
    return out.getvalue()


def test_prints_windows_and_figures_for_erlang_c():
    text = run(*BASE)
    lines = dict(line.split(":", 1) for line in text.strip().splitlines())
    figures = {label.strip(): value.strip() for label, value in lines.items()}
    assert figures["Model"] == "Erlang C"
    assert figures["Windows needed"] == "14"
    assert figures["Service level (served within 20 s)"] == "0.8884"
    assert figures["Probability of waiting"] == "0.1741"
    assert figures["Average wait"] == "7.84 s"
    assert figures["Occupancy"] == "0.7143"
    assert "Probability of abandoning" not in figures


def test_patience_switches_to_erlang_a_and_reports_abandonment():
    text = run(*BASE, "--patience-seconds", "300")
    assert "Erlang A" in text
    assert "Windows needed:" in text
    assert "Probability of abandoning:" in text
    windows = next(line for line in text.splitlines() if line.startswith("Windows needed"))
    assert windows.split(":")[1].strip() == "13"


def test_json_output_is_one_object_with_every_figure():
    data = json.loads(run(*BASE, "--json"))
    assert data["model"] == "erlang_c"
    assert data["windows"] == 14
    assert data["service_level"] == pytest.approx(0.88835, abs=1e-5)
    assert data["probability_wait"] == pytest.approx(0.17413, abs=1e-5)
    assert data["average_wait_seconds"] == pytest.approx(7.8359, abs=1e-4)
    assert data["occupancy"] == pytest.approx(10 / 14)
    assert data["abandonment"] is None

    with_patience = json.loads(run(*BASE, "--patience-seconds", "300", "--json"))
    assert with_patience["model"] == "erlang_a"
    assert with_patience["windows"] == 13
    assert 0 < with_patience["abandonment"] < 0.05


def test_zero_arrivals_need_no_window():
    data = json.loads(run(*BASE[:1], "0", *BASE[2:], "--json"))
    assert data["windows"] == 0
    assert data["service_level"] == 1.0


def test_max_occupancy_adds_windows():
    data = json.loads(run(*BASE, "--max-occupancy", "0.6", "--json"))
    assert data["windows"] == 17
    assert data["occupancy"] <= 0.6


def _with(option: str, value: str) -> list[str]:
    args = list(BASE)
    if option in args:
        args[args.index(option) + 1] = value
    else:
        args += [option, value]
    return args


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--arrivals", "-1"),
        ("--arrivals", "nan"),
        ("--interval-minutes", "0"),
        ("--interval-minutes", "-30"),
        ("--handling-seconds", "0"),
        ("--target-seconds", "-5"),
        ("--service-level", "0"),
        ("--service-level", "1"),
        ("--service-level", "80"),
        ("--patience-seconds", "0"),
        ("--patience-seconds", "inf"),
        ("--max-occupancy", "1.2"),
    ],
)
def test_bad_input_names_the_option(option, value):
    with pytest.raises(CommandError, match=f"^{option} must"):
        run(*_with(option, value))


def test_missing_option_is_named():
    args = BASE[:-2]  # no --service-level
    with pytest.raises(CommandError, match="--service-level"):
        run(*args)


def test_a_load_beyond_any_hall_is_an_error_not_a_hang():
    with pytest.raises(CommandError, match="No number of windows"):
        run(*_with("--arrivals", "1e12"))


def test_command_line_exits_non_zero_on_bad_input():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ventanilla.settings.test"}
    ok = subprocess.run(
        [sys.executable, "-m", "ventanilla", "staffing", *BASE, "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["windows"] == 14

    bad = subprocess.run(
        [sys.executable, "-m", "ventanilla", "staffing", *_with("--service-level", "1.5")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode != 0
    assert "--service-level must be between 0 and 1" in bad.stderr
