from pathlib import Path

import pytest

from ventanilla.surveys import services
from ventanilla.surveys.tests.factories import Survey, build_survey

SMALL_CORPUS = Path(__file__).resolve().parent / "data" / "themes"


@pytest.fixture(autouse=True)
def small_theme_corpus(monkeypatch, settings, tmp_path):
    """Train on the small labelled file of the tests, and keep models out of the project."""
    monkeypatch.setattr(services, "CORPUS_DIR", SMALL_CORPUS)
    settings.VAR_DIR = tmp_path
    return SMALL_CORPUS


@pytest.fixture
def survey(network) -> Survey:
    return build_survey(network)
