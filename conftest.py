import pytest

from ventanilla.org.tests.factories import Network, build_network


@pytest.fixture
def network(db) -> Network:
    return build_network()
