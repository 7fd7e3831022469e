"""From MISP to a Credence case: a claim-of-responsibility object, or a case given whole.

RELATIONS is the mapping: each object relation of the template, the case path it fills and
how its value is read. Anything the object does not give stays unknown in the case (absent),
never false. docs/MISP.md has the same table for readers.
"""

import base64
import binascii
import json
import re
from datetime import datetime, timezone
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[1] / "object_templates"
CLAIM_OBJECT = "claim-of-responsibility"

TEXT, BOOL, COUNT, TIME, LIST = "text", "boolean", "count", "time", "list"

# object relation -> (case path, kind)
RELATIONS = {
    "case-id": ("id", TEXT),
    "description": ("description", TEXT),
    "claimant": ("claim.claimant", TEXT),
    "claimant-type": ("claim.claimant_type", TEXT),
    "claimant-active-in-area": ("claim.claimant_active_in_area", BOOL),
    "channel": ("claim.channel", TEXT),
    "channel-class": ("claim.channel_class", TEXT),
    "published-at": ("claim.published_at", TIME),
    "reposted-by-official-outlets": ("claim.reposted_by_official_outlets", BOOL),
    "wording": ("claim.wording", TEXT),
    "claimed-attackers": ("claim.details.attackers", COUNT),
    "claimed-attackers-wording": ("claim.details.attackers_wording", TEXT),
    "claimed-attacker-name": ("claim.details.attacker_names", LIST),
    "claimed-nationality": ("claim.details.nationality", TEXT),
    "claimed-method": ("claim.details.method", LIST),
    "claimed-weapon": ("claim.details.weapons", LIST),
    "claimed-target": ("claim.details.targets", LIST),
    "claimed-killed": ("claim.details.killed", COUNT),
    "claimed-wounded": ("claim.details.wounded", COUNT),
    "claimed-casualties": ("claim.details.casualties", COUNT),
    "kunya": ("claim.kunya", TEXT),
    "kunya-fits-attacker": ("claim.kunya_fits_attacker", BOOL),
    "exclusive-media": ("claim.exclusive_media", LIST),
    "incident-kind": ("incident.kind", TEXT),
    "attack-started-at": ("incident.started_at", TIME),
    "city": ("incident.location.city", TEXT),
    "country": ("incident.location.country", TEXT),
    "attackers": ("incident.facts.attackers", COUNT),
    "attacker-name": ("incident.facts.attacker_names", LIST),
    "nationality": ("incident.facts.nationality", TEXT),
    "method": ("incident.facts.method", LIST),
    "weapon": ("incident.facts.weapons", LIST),
    "target": ("incident.facts.targets", LIST),
    "killed": ("incident.facts.killed", COUNT),
    "wounded": ("incident.facts.wounded", COUNT),
    "casualties": ("incident.facts.casualties", COUNT),
    "self-declared-allegiance": ("incident.attacker.self_declared_allegiance", BOOL),
    "declared-during-attack": ("incident.attacker.declared_during_attack", BOOL),
    "allegiance-confused": ("incident.attacker.allegiance_confused", BOOL),
    "acted-in-name": ("incident.attacker.acted_in_name", LIST),
    "prior-contact": ("incident.attacker.prior_contact", TEXT),
    "real-time-contact": ("incident.attacker.real_time_contact", BOOL),
    "known-to-authorities": ("incident.attacker.known_to_authorities", BOOL),
    "motive-investigation": ("incident.attacker.motive_investigation", TEXT),
    "alternative-motive": ("incident.attacker.alternative_motive", TEXT),
    "attacker-kunya": ("incident.attacker.kunya", TEXT),
    "profile-fit": ("incident.profile_fit", TEXT),
}
NONE = "none"  # a list relation's only value "none": the list is known to be empty
SUPPLEMENT = "supplement"  # an attachment: a partial case the other relations are laid over

RELATION_OF_PATH = {path: relation for relation, (path, _) in RELATIONS.items()}


class MappingError(ValueError):
    """A value the mapping cannot read; `errors` holds {"relation", "path", "message"}."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("; ".join(describe(e) for e in errors))


def describe(error):
    """One error as a sentence that names the case field and the object attribute."""
    path, relation = error.get("path"), error.get("relation")
    if path and relation:
        where = f"{path} (object attribute {relation})"
    else:
        where = path or (relation and f"object attribute {relation}")
    return f"{where}: {error['message']}" if where else error["message"]


def template(name=CLAIM_OBJECT):
    """A template shipped under object_templates/."""
    return json.loads((TEMPLATES / name / "definition.json").read_text(encoding="utf-8"))


VALUES = {rel: d["values_list"] for rel, d in template()["attributes"].items() if "values_list" in d}


def case_from_object(misp_object):
    """The case a claim-of-responsibility object (a MISP core format dict) describes."""
    if misp_object.get("name") != CLAIM_OBJECT:
        raise MappingError(
            [{"path": None, "message": f"expected a {CLAIM_OBJECT} object, got {misp_object.get('name')!r}"}]
        )
    values, errors = {}, []
    for attribute in misp_object.get("Attribute") or []:
        if not _deleted(attribute):
            values.setdefault(attribute.get("object_relation"), []).append(attribute)
    case = {}
    supplements = values.pop(SUPPLEMENT, [])
    try:
        if len(supplements) > 1:
            raise ValueError(f"given {len(supplements)} times; the template allows one")
        if supplements:
            case = _read_supplement(supplements[0])
    except ValueError as e:
        errors.append({"relation": SUPPLEMENT, "path": None, "message": str(e)})
    case.setdefault("format", 2)
    case.setdefault("id", f"misp-{misp_object['uuid']}" if misp_object.get("uuid") else "misp-claim")
    for relation, (path, kind) in RELATIONS.items():  # in this order, whatever the object's
        if relation not in values:
            continue
        try:
            _put(case, path, _read(relation, kind, [a.get("value") for a in values[relation]]))
        except ValueError as e:
            errors.append({"relation": relation, "path": path, "message": str(e)})
    if errors:
        raise MappingError(errors)
    return case


def case_from_attribute(attribute):
    """The case held whole by an attachment (its data) or a text attribute (its value)."""
    try:
        if attribute.get("type") == "attachment":
            document = _decode(attribute.get("data"))
        else:
            document = json.loads(attribute.get("value") or "")
    except ValueError as e:
        raise MappingError([{"path": None, "message": f"the attribute holds no JSON case: {e}"}]) from None
    if not isinstance(document, dict):
        raise MappingError([{"path": None, "message": "the case must be a JSON object"}])
    return document


def claim_objects(event):
    """The claim objects of an event, given as {"Event": {...}} or as the event itself."""
    inner = event.get("Event", event)
    objects = event.get("Object") or inner.get("Object") or []
    return [o for o in objects if o.get("name") == CLAIM_OBJECT and not _deleted(o)]


def _deleted(item):
    """MISP's soft deletion."""
    return item.get("deleted") in (True, "1", 1)


def _read(relation, kind, raw):
    if kind != LIST and len(raw) > 1:
        raise ValueError(f"given {len(raw)} times; the template allows one value")
    allowed = VALUES.get(relation)
    for value in raw:
        if allowed and value not in allowed:
            raise ValueError(f"{value!r} is not one of {', '.join(allowed)}")
    value = raw[0]
    if kind == LIST:
        if NONE in raw and len(raw) > 1:
            raise ValueError(f'"{NONE}" (a known empty list) cannot stand with other values')
        return [] if raw == [NONE] else [str(v) for v in raw]
    if kind == BOOL:
        return _boolean(value)
    if kind == COUNT:
        return _count(value)
    if kind == TIME:
        return _time(value)
    return str(value)


def _boolean(value):
    text = str(value).strip().lower()
    if text in ("1", "true"):
        return True
    if text in ("0", "false"):
        return False
    raise ValueError(f"expected a boolean (1 or 0), found {value!r}")


def _count(value):
    try:
        count = int(str(value).strip())
    except ValueError:
        raise ValueError(f"expected a whole number, found {value!r}") from None
    if count < 0:
        raise ValueError(f"expected a count, found {count}")
    return count


def _time(value):
    """An RFC 3339 instant; MISP writes "+0000" offsets, and a time without one is UTC."""
    text = re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", str(value).strip().replace("Z", "+00:00"))
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"expected a date and time, found {value!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _read_supplement(attribute):
    document = _decode(attribute.get("data"))
    if not isinstance(document, dict):
        raise ValueError("the supplement must be a JSON object (a case document)")
    return document


def _decode(data):
    if not data:
        raise ValueError("the attachment's content was not sent")
    try:
        return json.loads(base64.b64decode(data, validate=True).decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError) as e:
        raise ValueError(f"the attachment is not base64 UTF-8 text: {e}") from None
    except json.JSONDecodeError as e:
        raise ValueError(f"the attachment is not JSON: {e}") from None


def _put(case, path, value):
    """Sets case[a][b][c] = value for "a.b.c", making the objects on the way."""
    *parents, leaf = path.split(".")
    node = case
    for key in parents:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[leaf] = value
