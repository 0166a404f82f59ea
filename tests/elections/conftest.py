import pytest

from tests.elections.factories import make_body, make_voters


@pytest.fixture
def body(world):
    return make_body(world.community)


@pytest.fixture
def voters(world):
    """Ten adult voters with accounts in the community's first grid."""
    return make_voters(world.grid, 10)
