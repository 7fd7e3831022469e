"""Builds the enrichment messages in tests/fixtures/ from the shipped cases.

Each fixture is what OpenCTIConnectorHelper hands to the connector's callback (entity_id,
entity_type, enrichment_entity as the platform reads it, stix_entity, stix_objects). Every fact
in them comes from a shipped case: names, times and claimants are the case's own.
Run `python integrations/opencti/tests/make_fixtures.py` after a shipped case changes;
test_fixtures.py fails while the committed files are out of date."""

import base64
import json
from pathlib import Path

import stix2
from pycti import (
    Incident,
    IntrusionSet,
    Location,
    MarkingDefinition,
    Note,
    Report,
    StixCoreRelationship,
)

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TLP = {"TLP:GREEN": stix2.TLP_GREEN, "TLP:AMBER": stix2.TLP_AMBER, "TLP:RED": stix2.TLP_RED}


def _case(name: str) -> tuple:
    """A shipped case: its bytes and its document."""
    raw = (ROOT / "fixtures" / "real" / f"{name}.json").read_bytes()
    return raw, json.loads(raw)


def _marking(tlp: str) -> tuple:
    """The STIX marking definition of a TLP level, and OpenCTI's objectMarking entry for it."""
    stix = json.loads(TLP[tlp].serialize())
    opencti = {
        "standard_id": MarkingDefinition.generate_id("TLP", tlp),
        "entity_type": "Marking-Definition",
        "definition_type": "TLP",
        "definition": tlp,
    }
    return stix, opencti


def _message(entity: dict, objects: list, tlp: str, import_files: list) -> dict:
    """The callback's input for an entity with one TLP marking."""
    stix_marking, opencti_marking = _marking(tlp)
    entity["object_marking_refs"] = [stix_marking["id"]]
    entity_type = {"report": "Report", "note": "Note", "incident": "Incident"}[entity["type"]]
    return {
        "entity_id": entity["id"],
        "entity_type": entity_type,
        "enrichment_entity": {
            "standard_id": entity["id"],
            "entity_type": entity_type,
            "objectMarking": [opencti_marking],
            "importFiles": import_files,
        },
        "stix_entity": entity,
        "stix_objects": [stix_marking, entity] + objects,
    }


def report_with_inline_case(name: str, tlp: str) -> dict:
    """A report standing for the claim, on the attack's city, the case attached inline
    (x_opencti_files data); no incident or claimant in the bundle."""
    raw, case = _case(name)
    published = case["claim"]["published_at"]
    city = case["incident"]["location"]["city"]
    location = {
        "type": "location",
        "spec_version": "2.1",
        "id": Location.generate_id(city, "City"),
        "created": published,
        "modified": published,
        "name": city,
        "country": case["incident"]["location"]["country"],
        "x_opencti_location_type": "City",
    }
    report = {
        "type": "report",
        "spec_version": "2.1",
        "id": Report.generate_id(case["id"], published),
        "created": published,
        "modified": published,
        "name": case["id"],
        "description": case["description"],
        "published": published,
        "report_types": ["threat-report"],
        "object_refs": [location["id"]],
        "x_opencti_files": [
            {
                "name": f"{name}.credence.json",
                "data": base64.b64encode(raw).decode(),
                "mime_type": "application/json",
            }
        ],
    }
    return _message(report, [location], tlp, [])


def incident_with_stored_case(name: str, tlp: str) -> dict:
    """An incident, the claimant intrusion set and the claim's attributed-to in the bundle; the
    case stored in the platform (importFiles, fetched by id)."""
    _, case = _case(name)
    started, claimed = case["incident"]["started_at"], case["claim"]["published_at"]
    incident = {
        "type": "incident",
        "spec_version": "2.1",
        "id": Incident.generate_id(case["id"], started),
        "created": started,
        "modified": started,
        "name": case["id"],
        "first_seen": started,
    }
    actor = {
        "type": "intrusion-set",
        "spec_version": "2.1",
        "id": IntrusionSet.generate_id(case["claim"]["claimant"]),
        "created": claimed,
        "modified": claimed,
        "name": case["claim"]["claimant"],
    }
    claim = {
        "type": "relationship",
        "spec_version": "2.1",
        "id": StixCoreRelationship.generate_id(
            "attributed-to", incident["id"], actor["id"], claimed
        ),
        "created": claimed,
        "modified": claimed,
        "relationship_type": "attributed-to",
        "source_ref": incident["id"],
        "target_ref": actor["id"],
        "start_time": claimed,
    }
    stored = [{"id": f"import/Incident/{name}.credence.json", "name": f"{name}.credence.json"}]
    return _message(incident, [actor, claim], tlp, stored)


def note_without_case(name: str, tlp: str) -> dict:
    """A note on an incident and its claimant, with no case: the case comes from STIX alone."""
    message = incident_with_stored_case(name, tlp)
    incident, actor, claim = message["stix_objects"][1:]
    content = f"Claim of responsibility by {actor['name']} for {incident['name']}."
    note = {
        "type": "note",
        "spec_version": "2.1",
        "id": Note.generate_id(claim["created"], content),
        "created": claim["created"],
        "modified": claim["created"],
        "content": content,
        "object_refs": [incident["id"], actor["id"], claim["id"]],
    }
    for obj in (incident, actor, claim):
        obj["object_marking_refs"] = [message["stix_objects"][0]["id"]]
    return _message(note, [incident, actor, claim], tlp, [])


FIXTURES_BUILT = {
    "report-trebes-2018.json": lambda: report_with_inline_case("trebes-2018", "TLP:GREEN"),
    "report-trebes-2018-red.json": lambda: report_with_inline_case("trebes-2018", "TLP:RED"),
    "incident-paris-2015.json": lambda: incident_with_stored_case("paris-2015", "TLP:AMBER"),
    "note-trebes-2018-stix-only.json": lambda: note_without_case("trebes-2018", "TLP:GREEN"),
}


def render(message: dict) -> str:
    """A fixture's file content."""
    return json.dumps(message, indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    for file_name, build in FIXTURES_BUILT.items():
        (FIXTURES / file_name).write_text(render(build()))
        print(f"wrote {FIXTURES / file_name}")
