import pytest
from django.utils import translation

from ventanilla.org.tests.factories import Network, build_network


@pytest.fixture
def network(db) -> Network:
    return build_network()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the settings' language: a request in another language (the test
    client's ``HTTP_ACCEPT_LANGUAGE``) leaves it active on the thread."""
    yield
    translation.deactivate()
