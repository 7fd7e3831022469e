"""misp-modules expansion: judge a claim of responsibility with Credence.

Input: a claim-of-responsibility object, or a whole case as an attachment or a text attribute.
Output (MISP standard format): a credence-assessment object annotating the claim, an event
report with Credence's Markdown trace, and taxonomy tags.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from credence_misp.judge import RulesError, judge, load_rules, rules_path  # noqa: E402
from credence_misp.mapping import CLAIM_OBJECT, MappingError, case_from_attribute, case_from_object  # noqa: E402

mispattributes = {"input": [CLAIM_OBJECT, "attachment", "text"], "format": "misp_standard"}
moduleconfig = ["rules", "as_of"]
moduleinfo = {
    "version": "1.0",
    "author": "Credence",
    "description": "Judge whether a claim of responsibility is credible, with Credence's rules and full trace.",
    "module-type": ["expansion"],
    "name": "Credence claim judgement",
    "logo": "",
    "requirements": [
        "the credence Python package",
        "the claim-of-responsibility and credence-assessment object templates",
    ],
    "features": (
        "Maps a claim-of-responsibility object (or a case in JSON) to a Credence case, scores it, and returns a"
        " credence-assessment object, the Markdown trace as an event report, and estimative-language,"
        " admiralty-scale and workflow tags. Settings: rules (rule directory), as_of (e.g. claim+24h)."
    ),
    "references": ["docs/MISP.md"],
    "input": "A claim-of-responsibility object, or an attachment or text attribute holding a case in JSON.",
    "output": "A credence-assessment object, an event report and tags.",
}


def handler(q=False):
    if q is False:
        return False
    request = json.loads(q)
    config = request.get("config") or {}
    try:
        if request.get("object"):
            case, claim_uuid = case_from_object(request["object"]), request["object"].get("uuid")
        elif request.get("attribute"):
            case, claim_uuid = case_from_attribute(request["attribute"]), request["attribute"].get("uuid")
        else:
            return {"error": f"Credence: send a {CLAIM_OBJECT} object, or an attribute holding a case"}
        judgement = judge(load_rules(rules_path(config)), case, as_of=config.get("as_of") or None)
    except (MappingError, RulesError) as e:
        return {"error": f"Credence: {e}"}
    return {"results": judgement.results(claim_uuid)}


def introspection():
    return mispattributes


def version():
    moduleinfo["config"] = moduleconfig
    return moduleinfo
