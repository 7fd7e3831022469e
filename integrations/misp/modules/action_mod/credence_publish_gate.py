"""misp-modules workflow action (blocking): hold back an event whose claims are not judged firm.

Publication is blocked when any claim-of-responsibility object in the event has an open
verdict, a probability below the `threshold` setting, or fields Credence cannot read. MISP
stops a blocking workflow module when its answer carries an "error"; the error says why.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from credence_misp.judge import RulesError, judge_claims, load_rules, rules_path  # noqa: E402
from credence_misp.mapping import MappingError, describe  # noqa: E402

DEFAULT_THRESHOLD = 0.55

moduleconfig = {
    "params": {
        "threshold": {
            "type": "string",
            "description": "Lowest probability (0 to 1) that a claim is genuine for the event to be published",
            "value": str(DEFAULT_THRESHOLD),
        },
        "rules": {
            "type": "string",
            "description": "The Credence rule directory (default: $CREDENCE_RULES)",
            "value": "",
        },
        "as_of": {
            "type": "string",
            "description": "Judge as of a moment, e.g. claim+24h (default: all evidence)",
            "value": "",
        },
    },
    "blocking": True,
    "support_filters": False,
    "expect_misp_core_format": True,
}
returns = "boolean"
moduleinfo = {
    "version": "1.0",
    "author": "Credence",
    "description": "Block publishing an event whose claim of responsibility Credence judges open or unlikely.",
    "module-type": ["action"],
    "name": "Credence publish gate",
    "logo": "",
    "requirements": ["the credence Python package"],
    "features": "Blocking. Settings: threshold (default 0.55), rules, as_of.",
    "references": ["docs/MISP.md"],
    "input": "The event being published, in the MISP core format.",
    "output": "true to let publication go on; an error naming each blocking claim otherwise.",
}


def reasons(claim, outcome, threshold):
    """Why one claim blocks publication (none: it does not)."""
    name = f"claim {claim.get('uuid')}"
    if isinstance(outcome, MappingError):
        return [f"{name}: {describe(error)}" for error in outcome.errors]
    found = []
    if not outcome.settled:
        found.append(f"{name}: the verdict ({outcome.verdict}) is open")
    if outcome.probability < threshold:
        found.append(f"{name}: probability {outcome.probability:.1%} is below the threshold {threshold:.1%}")
    return found


def handler(q=False):
    if q is False:
        return False
    request = json.loads(q)
    params = request.get("params") or {}
    try:
        threshold = float(params.get("threshold") or DEFAULT_THRESHOLD)
        rules = load_rules(rules_path(params))
    except ValueError:
        return {"data": False, "error": f"Credence: threshold must be a number, not {params.get('threshold')!r}"}
    except RulesError as e:
        return {"data": False, "error": f"Credence: {e}"}
    outcomes = judge_claims(rules, request.get("data") or {}, as_of=params.get("as_of") or None)
    blocking = [reason for claim, outcome in outcomes for reason in reasons(claim, outcome, threshold)]
    if blocking:
        return {"data": False, "error": "Credence blocked publication: " + "; ".join(blocking)}
    return {"data": True}


def introspection():
    return {"config": moduleconfig}


def version():
    moduleinfo["config"] = moduleconfig
    return moduleinfo
