"""From Credence's STIX export of a judgement to the objects sent back to OpenCTI."""

import copy

from pycti import (
    Identity,
    Incident,
    Note,
    Opinion,
    StixCoreRelationship,
    ThreatActorGroup,
)

from .case import ACTOR_TYPES, claim_incident

SETTLED, OPEN = "credence:settled", "credence:open"
CONTAINERS = ("report", "note")
AUTHOR = Identity.generate_id("Credence", "system")


def judgement(export: dict) -> dict:
    """The judgement in Credence's export (its property extension): verdict, link, settled, ..."""
    relationship = next(o for o in export["objects"] if o["type"] == "relationship")
    extension = next(iter(relationship["extensions"].values()))
    return dict(extension, confidence=relationship["confidence"])


def status_label(export: dict) -> str:
    """credence:settled or credence:open."""
    return SETTLED if judgement(export)["settled"] else OPEN


def _new(obj: dict, source: dict, markings: list) -> dict:
    """A new object: the source's times, Credence as author, the claim entity's markings."""
    obj.update(spec_version="2.1", created=source["created"], modified=source["modified"])
    obj["created_by_ref"] = AUTHOR
    if markings:
        obj["object_marking_refs"] = list(markings)
    return obj


def _find(objects: list, wanted):
    """The first object for which wanted(object) holds, or None."""
    return next((o for o in objects if wanted(o)), None)


def _claimant(made: dict, objects: list, markings: list) -> tuple:
    """The claimant in the bundle (a threat actor or intrusion set of that name), else a new
    threat actor: (object, is new)."""
    name = made["threat-actor"]["name"]
    found = _find(
        objects,
        lambda o: o["type"] in ACTOR_TYPES and o.get("name", "").casefold() == name.casefold(),
    )
    if found:
        return found, False
    actor = {
        "type": "threat-actor",
        "id": ThreatActorGroup.generate_id(name),
        "name": name,
        "threat_actor_types": made["threat-actor"]["threat_actor_types"],
    }
    return _new(actor, made["threat-actor"], markings), True


def _incident(made: dict, stix_entity: dict, objects: list, markings: list) -> tuple:
    """The incident in the bundle, else a new one named after the case: (object, is new)."""
    found = claim_incident(stix_entity, objects)
    if found:
        return found, False
    source = made["incident"]
    incident = {
        "type": "incident",
        "id": Incident.generate_id(source["name"], source["created"]),
        "name": source["name"],
    }
    if source.get("description"):
        incident["description"] = source["description"]
    return _new(incident, source, markings), True


def _claim(made: dict, incident: dict, actor: dict, objects: list, markings: list) -> dict:
    """incident attributed-to claimant with Credence's confidence; one already in the bundle
    keeps its id and times."""
    source = made["relationship"]
    existing = _find(
        objects,
        lambda o: (
            o["type"] == "relationship"
            and o.get("relationship_type") == "attributed-to"
            and o.get("source_ref") == incident["id"]
            and o.get("target_ref") == actor["id"]
        ),
    ) or {"id": StixCoreRelationship.generate_id("attributed-to", incident["id"], actor["id"])}
    claim = {key: existing[key] for key in ("id", "start_time", "stop_time") if key in existing}
    claim.update(
        type="relationship",
        relationship_type="attributed-to",
        source_ref=incident["id"],
        target_ref=actor["id"],
        description=source["description"],
        confidence=source["confidence"],
    )
    return _new(claim, source, markings)


def _opinion(made: dict, refs: list, label: str, markings: list) -> dict:
    """Credence's opinion on the claim entity and the claim."""
    source = made["opinion"]
    opinion = {
        "type": "opinion",
        "id": Opinion.generate_id(source["created"], source["opinion"]),
        "opinion": source["opinion"],
        "explanation": source["explanation"],
        "authors": source["authors"],
        "object_refs": refs,
        "labels": [label],
    }
    return _new(opinion, source, markings)


def _note(made: dict, refs: list, label: str, markings: list, provenance: str) -> dict:
    """The note holding the Markdown trace, and where the case came from."""
    source = made["note"]
    content = source["content"] + provenance
    note = {
        "type": "note",
        "id": Note.generate_id(source["created"], content, source["abstract"]),
        "abstract": source["abstract"],
        "content": content,
        "authors": source["authors"],
        "object_refs": list(dict.fromkeys(refs)),
        "labels": [label],
    }
    return _new(note, source, markings)


def _updated_entity(stix_entity: dict, label: str, refs: list) -> dict:
    """The claim entity with its Credence label and, for a report or note, the claim's objects
    among its refs; its files (already stored in the platform) are not sent again."""
    entity = copy.deepcopy(stix_entity)
    entity.pop("x_opencti_files", None)
    for extension in (entity.get("extensions") or {}).values():
        if isinstance(extension, dict):
            extension.pop("files", None)
    labels = [name for name in entity.get("labels", []) if name not in (SETTLED, OPEN)]
    entity["labels"] = labels + [label]
    if entity["type"] in CONTAINERS:
        own = entity.get("object_refs", [])
        entity["object_refs"] = own + [r for r in refs if r not in own]
    return entity


def enrichment_objects(export: dict, stix_entity: dict, objects: list, provenance: str) -> list:
    """The bundle's objects: the input objects with the entity updated, and the judgement.

    The judgement is the claim (incident attributed-to claimant, with its confidence), Credence's
    opinion on it and a note holding the Markdown trace. Objects already in the bundle (incident,
    claimant, claim) are reused; a new object with the id of one in the bundle replaces it. Every
    new object but Credence's own identity carries the entity's markings."""
    made = {o["type"]: o for o in export["objects"]}
    markings = stix_entity.get("object_marking_refs") or []
    label = status_label(export)
    author = {key: value for key, value in made["identity"].items() if key != "created_by_ref"}
    author["id"] = AUTHOR

    actor, new_actor = _claimant(made, objects, markings)
    incident, new_incident = _incident(made, stix_entity, objects, markings)
    claim = _claim(made, incident, actor, objects, markings)
    entity_id = stix_entity["id"]
    new = [author]
    new += [actor] if new_actor else []
    new += [incident] if new_incident else []
    new += [
        claim,
        _opinion(made, [entity_id, claim["id"]], label, markings),
        _note(made, [entity_id, incident["id"], claim["id"]], label, markings, provenance),
    ]

    entity = _updated_entity(stix_entity, label, [incident["id"], actor["id"], claim["id"]])
    out = {o["id"]: o for o in objects}
    out[entity_id] = entity
    out.update((o["id"], o) for o in new)
    return list(out.values())
