"""The committed fixture messages are the ones make_fixtures.py builds from the shipped cases."""

import pytest
import stix2

from conftest import HERE, load_fixture
from make_fixtures import FIXTURES_BUILT, render


@pytest.mark.parametrize("name", sorted(FIXTURES_BUILT))
def test_fixture_is_up_to_date(name):
    assert (HERE / "fixtures" / name).read_text() == render(FIXTURES_BUILT[name]()), (
        f"tests/fixtures/{name} is out of date: run tests/make_fixtures.py"
    )


@pytest.mark.parametrize("name", sorted(FIXTURES_BUILT))
def test_fixture_bundle_is_valid_stix(name):
    message = load_fixture(name)
    bundle = {"type": "bundle", "id": "bundle--" + "0" * 8 + "-0000-4000-8000-" + "0" * 12}
    stix2.parse(dict(bundle, objects=message["stix_objects"]), allow_custom=True)

    assert message["stix_entity"] in message["stix_objects"]
