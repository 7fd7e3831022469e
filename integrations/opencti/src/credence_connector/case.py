"""From an OpenCTI entity and its STIX bundle to a Credence case (docs/OPENCTI.md, "Mapping")."""

import base64
import copy
import json
from typing import Callable, Optional

CASE_SUFFIX = ".credence.json"
CASE_PROPERTY = "x_credence_case"
ACTOR_TYPES = ("threat-actor", "intrusion-set")


class CaseSourceError(ValueError):
    """The case carried with the entity cannot be read."""


def _entity_files(stix_entity: dict) -> list:
    """Files of the STIX entity: x_opencti_files and the OpenCTI extension's `files`."""
    files = list(stix_entity.get("x_opencti_files") or [])
    for extension in (stix_entity.get("extensions") or {}).values():
        if isinstance(extension, dict):
            files.extend(extension.get("files") or [])
    return files


def _parse(text, origin: str) -> dict:
    """A case document from JSON text (or an already parsed object)."""
    if isinstance(text, dict):
        return copy.deepcopy(text)
    try:
        case = json.loads(text)
    except (ValueError, TypeError) as err:
        raise CaseSourceError(f"{origin} is not JSON: {err}") from err
    if not isinstance(case, dict):
        raise CaseSourceError(f"{origin} is not a JSON object")
    return case


def read_case(stix_entity: dict, enrichment_entity: dict, fetch: Callable[[str], bytes]) -> tuple:
    """The Credence case carried with the entity, and where it was found: (case or None, origin).

    A file named *.credence.json attached to the entity (its content inline in the STIX entity,
    else fetched by id from the platform with `fetch`), else the custom property x_credence_case."""
    inline = {f["name"]: f for f in _entity_files(stix_entity) if f.get("data")}
    stored = {f["name"]: f for f in enrichment_entity.get("importFiles") or []}
    names = sorted(n for n in set(inline) | set(stored) if n.endswith(CASE_SUFFIX))
    if len(names) > 1:
        raise CaseSourceError(
            f"several case files are attached ({', '.join(names)}): keep one *{CASE_SUFFIX}"
        )
    if names:
        name = names[0]
        origin = f"attached file {name}"
        if name in inline:
            try:
                raw = base64.b64decode(inline[name]["data"], validate=True)
            except ValueError as err:
                raise CaseSourceError(f"{origin} is not base64 data: {err}") from err
        else:
            raw = fetch(stored[name]["id"])
            if raw is None:
                raise CaseSourceError(f"{origin} could not be downloaded from the platform")
        try:
            return _parse(raw.decode("utf-8"), origin), origin
        except UnicodeDecodeError as err:
            raise CaseSourceError(f"{origin} is not UTF-8 text: {err}") from err
    if CASE_PROPERTY in stix_entity:
        return _parse(stix_entity[CASE_PROPERTY], CASE_PROPERTY), f"property {CASE_PROPERTY}"
    return None, None


def claim_incident(stix_entity: dict, objects: list) -> Optional[dict]:
    """The incident the claim is about: the entity itself, else one it refers to, else any."""
    if stix_entity["type"] == "incident":
        return stix_entity
    refs = set(stix_entity.get("object_refs", []))
    incidents = [o for o in objects if o["type"] == "incident"]
    return next((o for o in incidents if o["id"] in refs), incidents[0] if incidents else None)


def _claim_context(stix_entity: dict, objects: list) -> tuple:
    """The incident, the claim's attributed-to relationship and the claimant in the bundle."""
    by_id = {o["id"]: o for o in objects}
    incident = claim_incident(stix_entity, objects)
    claims = [
        o
        for o in objects
        if o["type"] == "relationship"
        and o.get("relationship_type") == "attributed-to"
        and (incident is None or o.get("source_ref") == incident["id"])
        and by_id.get(o.get("target_ref"), {}).get("type") in ACTOR_TYPES
    ]
    relationship = claims[0] if claims else None
    if relationship:
        actor = by_id[relationship["target_ref"]]
    else:
        actor = next((o for o in objects if o["type"] in ACTOR_TYPES), None)
    return incident, relationship, actor


def complete_from_stix(case: Optional[dict], stix_entity: dict, objects: list) -> tuple:
    """The case with what the STIX objects carry filled in where the case leaves it absent.

    Returns (case, filled): `filled` lists the case paths taken from STIX, each with its source.
    A value present in the case, `null` included, is never replaced."""
    case = copy.deepcopy(case) if case else {}
    incident, relationship, actor = _claim_context(stix_entity, objects)
    report_time = stix_entity.get("published") if stix_entity["type"] == "report" else None
    candidates = [
        ("id", stix_entity.get("name"), f"{stix_entity['type']} name"),
        ("id", stix_entity["id"], f"{stix_entity['type']} id"),
        ("description", stix_entity.get("description"), f"{stix_entity['type']} description"),
        ("incident.started_at", (incident or {}).get("first_seen"), "incident first_seen"),
        ("claim.claimant", (actor or {}).get("name"), f"{(actor or {}).get('type')} name"),
        ("claim.published_at", (relationship or {}).get("start_time"), "attributed-to start_time"),
        ("claim.published_at", report_time, "report published"),
    ]
    filled = []
    for path, value, source in candidates:
        *parents, key = path.split(".")
        node = case
        for parent in parents:
            node = node.setdefault(parent, {})
        if value is not None and isinstance(node, dict) and key not in node:
            node[key] = value
            filled.append((path, source))
    return case, filled
