"""The mapping from an entity and its STIX bundle to a Credence case."""

import json

import pytest

from conftest import load_fixture
from credence_connector.case import CaseSourceError, complete_from_stix, read_case


def no_fetch(file_id):
    raise AssertionError(f"nothing should be fetched, asked for {file_id}")


def test_the_case_file_wins_over_the_stix_objects():
    message = load_fixture("incident-paris-2015.json")
    entity = dict(message["stix_entity"], first_seen="2015-11-13T00:00:00Z", name="other")
    case = {"id": "paris-2015", "incident": {"started_at": None}, "claim": {"claimant": "X"}}

    completed, filled = complete_from_stix(case, entity, message["stix_objects"])

    assert completed["id"] == "paris-2015"
    assert completed["incident"]["started_at"] is None
    assert completed["claim"]["claimant"] == "X"
    assert filled == [("claim.published_at", "attributed-to start_time")]
    assert case["claim"] == {"claimant": "X"}


def test_a_case_from_the_stix_objects_alone():
    message = load_fixture("note-trebes-2018-stix-only.json")
    incident, actor, claim = message["stix_objects"][2:]

    case, filled = complete_from_stix(None, message["stix_entity"], message["stix_objects"])

    assert case == {
        "id": message["entity_id"],
        "incident": {"started_at": incident["first_seen"]},
        "claim": {"claimant": actor["name"], "published_at": claim["start_time"]},
    }
    assert [path for path, _ in filled] == [
        "id",
        "incident.started_at",
        "claim.claimant",
        "claim.published_at",
    ]


def test_a_report_publication_is_the_last_resort_for_the_claim_time():
    message = load_fixture("report-trebes-2018.json")
    report = message["stix_entity"]

    case, filled = complete_from_stix({}, report, message["stix_objects"])

    assert case["id"] == report["name"]
    assert case["description"] == report["description"]
    assert case["claim"] == {"published_at": report["published"]}
    assert ("claim.published_at", "report published") in filled
    assert "started_at" not in case["incident"]


def test_the_case_property_as_text_or_object():
    case = {"id": "c", "incident": {}, "claim": {}}
    for value in (case, json.dumps(case)):
        entity = {"type": "note", "id": "note--x", "x_credence_case": value}
        assert read_case(entity, {}, no_fetch) == (case, "property x_credence_case")


def test_an_inline_file_comes_before_the_property():
    message = load_fixture("report-trebes-2018.json")
    message["stix_entity"]["x_credence_case"] = {"id": "ignored"}

    case, origin = read_case(message["stix_entity"], message["enrichment_entity"], no_fetch)

    assert (case["id"], origin) == ("trebes-2018", "attached file trebes-2018.credence.json")


def test_files_in_the_opencti_extension_are_read():
    message = load_fixture("report-trebes-2018.json")
    entity = message["stix_entity"]
    files = entity.pop("x_opencti_files")
    entity["extensions"] = {
        "extension-definition--ea279b3e-5c71-4632-ac08-831c66a786ba": {"files": files}
    }

    case, _ = read_case(entity, message["enrichment_entity"], no_fetch)

    assert case["id"] == "trebes-2018"


def test_a_stored_file_that_cannot_be_downloaded_is_named():
    message = load_fixture("incident-paris-2015.json")

    with pytest.raises(CaseSourceError, match="paris-2015.credence.json could not be downloaded"):
        read_case(message["stix_entity"], message["enrichment_entity"], lambda _: None)


def test_other_files_are_ignored():
    entity = {
        "type": "report",
        "id": "report--x",
        "x_opencti_files": [{"name": "a.pdf", "data": "AA=="}],
    }

    assert read_case(entity, {"importFiles": [{"id": "b", "name": "b.json"}]}, no_fetch) == (
        None,
        None,
    )
