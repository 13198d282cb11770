import pytest

from ventanilla.surveys.tests.factories import Survey, build_survey


@pytest.fixture
def survey(network) -> Survey:
    return build_survey(network)
