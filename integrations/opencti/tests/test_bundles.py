"""bundle_in -> bundle_out on the fixture messages built from the shipped cases."""

import base64
import json

import credence
import pytest
import stix2
from pycti import Identity, Note, Opinion

from conftest import ROOT, load_fixture, sent_bundle
from credence_connector.markings import Refused

CREDENCE = Identity.generate_id("Credence", "system")
RULES = credence.compile(str(ROOT / "rules"))

# fixture, shipped case (None: the case comes from the STIX objects), opinion, label
ACCEPTED = [
    ("report-trebes-2018.json", "trebes-2018", "agree", "credence:settled"),
    ("incident-paris-2015.json", "paris-2015", "strongly-agree", "credence:settled"),
    ("note-trebes-2018-stix-only.json", None, "neutral", "credence:open"),
]


def expected_verdict(case):
    """The verdict the repository's own fixture expects for a shipped case."""
    return json.loads((ROOT / "fixtures" / f"{case}.json").read_text())["expect"]["verdict"]


def credence_export(case):
    """What the Credence package exports for a shipped case on its own."""
    document = json.loads((ROOT / "fixtures" / "real" / f"{case}.json").read_text())
    return {o["type"]: o for o in json.loads(RULES.render(document, format="stix"))["objects"]}


def enrich(connector, helper, fixture):
    """Run the connector on a fixture; the input message and the parsed output bundle."""
    message = load_fixture(fixture)
    connector.process_message(message)
    bundle = sent_bundle(helper)
    parsed = stix2.parse(bundle, allow_custom=True, version="2.1")
    assert len(parsed.objects) == len(bundle["objects"])
    return message, {o["id"]: o for o in bundle["objects"]}


def made_by_credence(objects):
    """The objects the connector made (Credence is their author), by type."""
    made = {}
    for obj in objects.values():
        if obj.get("created_by_ref") == CREDENCE:
            made.setdefault(obj["type"], []).append(obj)
    return made


@pytest.mark.parametrize(("fixture", "case", "opinion", "label"), ACCEPTED)
def test_bundle_out(connector, helper, fixture, case, opinion, label):
    message, out = enrich(connector, helper, fixture)
    entity_in = message["stix_entity"]
    entity = out[entity_in["id"]]
    made = made_by_credence(out)
    [relationship] = made["relationship"]
    [note] = made["note"]
    [credence_opinion] = made["opinion"]

    assert entity["type"] == entity_in["type"]
    assert label in entity["labels"]
    assert credence_opinion["opinion"] == opinion
    assert entity_in["id"] in credence_opinion["object_refs"]
    assert relationship["id"] in credence_opinion["object_refs"]
    assert credence_opinion["labels"] == note["labels"] == [label]
    assert relationship["relationship_type"] == "attributed-to"
    assert out[relationship["source_ref"]]["type"] == "incident"
    assert out[relationship["target_ref"]]["type"] in ("threat-actor", "intrusion-set")
    assert 0 <= relationship["confidence"] <= 100
    assert note["content"].startswith("# Claim assessment")
    assert {entity_in["id"], relationship["id"]} <= set(note["object_refs"])
    if case:
        export = credence_export(case)
        assert relationship["confidence"] == export["relationship"]["confidence"]
        assert credence_opinion["explanation"] == export["opinion"]["explanation"]
        assert note["content"].startswith(export["note"]["content"])
        assert f"**Verdict: {expected_verdict(case)}**" in note["content"]
        assert "Case: attached file " + case + ".credence.json" in note["content"]
    else:
        assert "taken from the STIX objects" in note["content"]


@pytest.mark.parametrize("fixture", [f for f, *_ in ACCEPTED])
def test_markings_are_copied_onto_every_new_object(connector, helper, fixture):
    message, out = enrich(connector, helper, fixture)
    markings = message["stix_entity"]["object_marking_refs"]
    made = [o for objects in made_by_credence(out).values() for o in objects]

    assert {o["type"] for o in made} >= {"relationship", "opinion", "note"}
    assert all(o["object_marking_refs"] == markings for o in made)
    assert "object_marking_refs" not in out[CREDENCE]
    assert all(m in out for m in markings)


def test_new_incident_and_claimant_when_the_bundle_has_none(connector, helper):
    message, out = enrich(connector, helper, "report-trebes-2018.json")
    report = out[message["entity_id"]]
    made = made_by_credence(out)
    [incident], [actor], [relationship] = (
        made["incident"],
        made["threat-actor"],
        made["relationship"],
    )

    assert (incident["name"], actor["name"]) == ("trebes-2018", "Islamic State")
    assert actor["threat_actor_types"] == ["terrorist"]
    assert {incident["id"], actor["id"], relationship["id"]} <= set(report["object_refs"])
    assert "x_opencti_files" not in report


def test_objects_in_the_bundle_are_reused(connector, helper):
    message, out = enrich(connector, helper, "incident-paris-2015.json")
    incident, actor, claim = message["stix_objects"][1:]
    made = made_by_credence(out)

    assert "incident" not in made and "threat-actor" not in made
    assert made["relationship"][0]["id"] == claim["id"]
    assert out[claim["id"]]["start_time"] == claim["start_time"]
    assert (claim["source_ref"], claim["target_ref"]) == (incident["id"], actor["id"])


def test_ids_come_from_the_pycti_generators(connector, helper):
    _, out = enrich(connector, helper, "report-trebes-2018.json")
    made = made_by_credence(out)
    [opinion], [note] = made["opinion"], made["note"]

    assert opinion["id"] == Opinion.generate_id(opinion["created"], opinion["opinion"])
    assert note["id"] == Note.generate_id(note["created"], note["content"], note["abstract"])


def test_the_same_entity_gives_the_same_objects(connector, helper):
    _, first = enrich(connector, helper, "incident-paris-2015.json")
    helper.send_stix2_bundle.reset_mock()
    _, second = enrich(connector, helper, "incident-paris-2015.json")

    assert first == second


def test_tlp_red_is_refused_when_the_maximum_is_amber(connector, helper):
    with pytest.raises(Refused, match=r"marked TLP:RED, above CREDENCE_MAX_TLP=TLP:AMBER"):
        connector.process_message(load_fixture("report-trebes-2018-red.json"))

    helper.send_stix2_bundle.assert_not_called()
    helper.api.fetch_opencti_file_by_id.assert_not_called()


def test_tlp_amber_is_refused_when_the_maximum_is_green(connector, helper):
    connector.settings["max_tlp"] = "TLP:GREEN"

    with pytest.raises(Refused, match="marked TLP:AMBER"):
        connector.process_message(load_fixture("incident-paris-2015.json"))

    helper.send_stix2_bundle.assert_not_called()


def test_a_bad_case_names_its_field(connector, helper):
    message = load_fixture("incident-paris-2015.json")
    case = json.loads((ROOT / "fixtures" / "real" / "paris-2015.json").read_text())
    case["incident"]["started_at"] = "the night of the attack"
    message["enrichment_entity"]["importFiles"] = []
    message["stix_entity"]["x_credence_case"] = json.dumps(case)

    with pytest.raises(
        ValueError, match=r"cannot be scored: incident\.started_at: expected an RFC"
    ):
        connector.process_message(message)

    helper.send_stix2_bundle.assert_not_called()


def test_an_attached_case_that_is_not_json_is_named(connector, helper):
    message = load_fixture("report-trebes-2018.json")
    message["stix_entity"]["x_opencti_files"][0]["data"] = base64.b64encode(b"{oops").decode()

    with pytest.raises(ValueError, match=r"attached file trebes-2018\.credence\.json is not JSON"):
        connector.process_message(message)

    helper.send_stix2_bundle.assert_not_called()


def test_two_attached_cases_are_refused(connector, helper):
    message = load_fixture("report-trebes-2018.json")
    message["enrichment_entity"]["importFiles"] = [{"id": "f", "name": "other.credence.json"}]

    with pytest.raises(ValueError, match="several case files are attached"):
        connector.process_message(message)


def test_a_settled_judgement_replaces_the_open_label(connector, helper):
    message = load_fixture("incident-paris-2015.json")
    message["stix_entity"]["labels"] = ["credence:open", "claim"]

    connector.process_message(message)
    entity = next(o for o in sent_bundle(helper)["objects"] if o["id"] == message["entity_id"])

    assert entity["labels"] == ["claim", "credence:settled"]
    helper.api.stix_domain_object.remove_label.assert_called_once_with(
        id=message["entity_id"], label_name="credence:open"
    )
