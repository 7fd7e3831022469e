"""The internal-enrichment connector: score the claim an entity describes, send the judgement."""

import json

import credence
from pycti import OpenCTIConnectorHelper

from .bundle import OPEN, SETTLED, enrichment_objects, judgement, status_label
from .case import complete_from_stix, read_case
from .config import credence_settings
from .markings import check_tlp

SCOPE = ("report", "note", "incident")


def judge(rules, case: dict) -> dict:
    """Credence's STIX export of the case; a case that cannot be scored names its fields."""
    try:
        return json.loads(rules.render(case, format="stix"))
    except credence.CaseError as err:
        fields = "; ".join(f"{e['path'] or '(case)'}: {e['message']}" for e in err.errors)
        raise ValueError(f"the case cannot be scored: {fields}") from err


def provenance(origin, filled: list) -> str:
    """A closing line for the note: where the case came from."""
    parts = [origin or "no case file or property was found"]
    if filled:
        parts.append(
            "taken from the STIX objects: "
            + ", ".join(f"`{path}` ({source})" for path, source in filled)
        )
    return "\n\n---\n\nCase: " + "; ".join(parts) + ".\n"


class CredenceConnector:
    """Scores the claim a report, note or incident describes, with a Credence rule set."""

    def __init__(self, config: dict, helper: OpenCTIConnectorHelper):
        self.helper = helper
        self.settings = credence_settings(config)
        self.rules = credence.compile(self.settings["rules"])

    def _fetch(self, file_id: str) -> bytes:
        """A file stored in the platform, by id."""
        return self.helper.api.fetch_opencti_file_by_id(file_id, binary=True)

    def process_message(self, data: dict) -> str:
        """Enrich one entity; raise (the work fails with the message) when it cannot be."""
        entity = data["stix_entity"]
        if entity["type"] not in SCOPE:
            return f"Credence skips {entity['id']}: only reports, notes and incidents"
        check_tlp(data["enrichment_entity"], self.settings["max_tlp"])
        case, origin = read_case(entity, data["enrichment_entity"], self._fetch)
        case, filled = complete_from_stix(case, entity, data["stix_objects"])
        export = judge(self.rules, case)
        objects = enrichment_objects(
            export, entity, data["stix_objects"], provenance(origin, filled)
        )
        stale = OPEN if status_label(export) == SETTLED else SETTLED
        if stale in entity.get("labels", []):
            self.helper.api.stix_domain_object.remove_label(id=data["entity_id"], label_name=stale)
        self.helper.send_stix2_bundle(self.helper.stix2_create_bundle(objects))
        verdict = judgement(export)
        message = (
            f"Credence: {verdict['verdict']} ({status_label(export)}), "
            f"attributed-to confidence {verdict['confidence']}"
        )
        self.helper.connector_logger.info(message, {"entity_id": entity["id"]})
        return message

    def run(self) -> None:
        """Listen for enrichment requests."""
        self.helper.listen(message_callback=self.process_message)
