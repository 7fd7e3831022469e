"""misp-modules export: every claim of responsibility in the events, judged by Credence.

Output: one JSON document listing, per event, each claim-of-responsibility object with its
verdict, probability, opinion, tags and Credence's JSON trace (or the errors naming the fields
that stopped it).
"""

import base64
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from credence_misp.judge import RulesError, judge_claims, load_rules, rules_path  # noqa: E402
from credence_misp.mapping import MappingError, describe  # noqa: E402

inputSource = ["event"]
outputFileExtension = "json"
responseType = "application/json"
moduleconfig = ["rules", "as_of"]
moduleinfo = {
    "version": "1.0",
    "author": "Credence",
    "description": "Judge every claim of responsibility in the exported events with Credence.",
    "module-type": ["export"],
    "name": "Credence claims export",
    "logo": "",
    "requirements": ["the credence Python package"],
    "features": "Scores each claim-of-responsibility object. Settings: rules (rule directory), as_of (e.g. claim+24h).",
    "references": ["docs/MISP.md"],
    "input": "MISP events.",
    "output": "JSON: per event, each claim object's judgement and trace.",
}


def claim_entry(claim, outcome):
    """One claim's judgement, or the errors that stopped it."""
    entry = {"object_uuid": claim.get("uuid")}
    if isinstance(outcome, MappingError):
        return {**entry, "errors": [describe(error) for error in outcome.errors]}
    return {
        **entry,
        "verdict": outcome.verdict,
        "settled": outcome.settled,
        "probability": outcome.probability,
        "likelihood": outcome.likelihood,
        "band": outcome.band,
        "opinion": outcome.opinion,
        "tags": outcome.tags,
        "key_judgement": outcome.key_judgement,
        "trace": outcome.trace,
    }


def handler(q=False):
    if q is False:
        return False
    request = json.loads(q)
    config = request.get("config") or {}
    try:
        rules = load_rules(rules_path(config))
    except RulesError as e:
        return {"error": f"Credence: {e}"}
    events = []
    for event in request.get("data") or []:
        inner = event.get("Event", event)
        outcomes = judge_claims(rules, event, as_of=config.get("as_of") or None)
        events.append(
            {"uuid": inner.get("uuid"), "info": inner.get("info"), "claims": [claim_entry(*o) for o in outcomes]}
        )
    document = json.dumps({"ruleset": " ".join(rules.ruleset), "events": events}, indent=2, ensure_ascii=False) + "\n"
    return {"response": [], "data": base64.b64encode(document.encode("utf-8")).decode("ascii")}


def introspection():
    return {
        "responseType": responseType,
        "outputFileExtension": outputFileExtension,
        "inputSource": inputSource,
    }


def version():
    moduleinfo["config"] = moduleconfig
    return moduleinfo
