"""The entity's TLP against the connector's maximum."""

import pytest

from credence_connector.markings import Refused, check_tlp, entity_tlps


def entity(*tlps):
    markings = [{"definition_type": "TLP", "definition": tlp} for tlp in tlps]
    markings.append({"definition_type": "PAP", "definition": "PAP:RED"})
    return {"standard_id": "report--x", "objectMarking": markings}


def test_only_tlp_markings_are_read():
    assert entity_tlps(entity("TLP:GREEN")) == ["TLP:GREEN"]


@pytest.mark.parametrize("tlp", ["TLP:CLEAR", "TLP:GREEN", "TLP:AMBER"])
def test_up_to_the_maximum_is_read(tlp):
    check_tlp(entity(tlp), "TLP:AMBER")


def test_an_entity_without_tlp_is_read():
    check_tlp({"standard_id": "note--x"}, "TLP:CLEAR")


@pytest.mark.parametrize("tlp", ["TLP:AMBER+STRICT", "TLP:RED"])
def test_above_the_maximum_is_refused(tlp):
    with pytest.raises(Refused, match=f"report--x: it is marked {tlp.replace('+', '.')}"):
        check_tlp(entity("TLP:GREEN", tlp), "TLP:AMBER")
