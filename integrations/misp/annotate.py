#!/usr/bin/env python3
"""Write Credence's judgement on each claim of responsibility in a MISP event, as analyst data.

    python integrations/misp/annotate.py --url https://misp.example --key KEY --event 42

For every claim-of-responsibility object of the event: an Opinion (the probability that the
claim is genuine, 0 to 100) and a Note (the key judgement and Credence's Markdown trace),
attached to the object with PyMISP. --dry-run prints them as JSON instead of sending them.
"""

import argparse
import sys
import uuid
from pathlib import Path

from pymisp import MISPNote, MISPOpinion, PyMISP

sys.path.insert(0, str(Path(__file__).resolve().parent))

from credence_misp.judge import RulesError, judge_claims, load_rules, rules_path  # noqa: E402
from credence_misp.mapping import MappingError, describe  # noqa: E402


def annotations(event, rules, as_of=None):
    """The Opinion and Note for each claim object of `event`, and the errors for the others."""
    built, errors = [], []
    for claim, outcome in judge_claims(rules, event, as_of):
        if isinstance(outcome, MappingError):
            errors += [f"claim {claim.get('uuid')}: {describe(error)}" for error in outcome.errors]
            continue
        base = uuid.UUID(outcome.event["uuid"])
        common = {"object_uuid": claim["uuid"], "object_type": "Object", "authors": authors(outcome)}
        opinion = MISPOpinion()
        opinion.from_dict(
            opinion=outcome.opinion,
            comment=outcome.opinion_comment,
            uuid=str(uuid.uuid5(base, f"opinion/{claim['uuid']}")),
            **common,
        )
        note = MISPNote()
        note.from_dict(note=outcome.note, language="en", uuid=str(uuid.uuid5(base, f"note/{claim['uuid']}")), **common)
        built += [opinion, note]
    return built, errors


def authors(judgement):
    provenance = judgement.trace["provenance"]
    return f"Credence, rules {provenance['ruleset']} {provenance['version']}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the MISP instance")
    parser.add_argument("--key", required=True, help="an API key allowed to add analyst data")
    parser.add_argument("--event", required=True, help="the event's id or UUID")
    parser.add_argument("--rules", help="the Credence rule directory (default: $CREDENCE_RULES or the repository's)")
    parser.add_argument("--as-of", help="judge as of a moment: RFC 3339, claim+24h or start+6h")
    parser.add_argument("--insecure", action="store_true", help="do not verify the server's TLS certificate")
    parser.add_argument("--dry-run", action="store_true", help="print the analyst data instead of sending it")
    args = parser.parse_args(argv)
    try:
        rules = load_rules(rules_path({"rules": args.rules}))
    except RulesError as e:
        sys.exit(f"annotate: {e}")
    misp = PyMISP(args.url, args.key, ssl=not args.insecure)
    event = misp.get_event(args.event)
    if "errors" in event:
        sys.exit(f"annotate: MISP refused the event: {event['errors']}")
    built, errors = annotations(event, rules, args.as_of)
    for item in built:
        if args.dry_run:
            print(item.to_json(indent=2))
        else:
            answer = misp.add_opinion(item) if isinstance(item, MISPOpinion) else misp.add_note(item)
            if "errors" in answer:
                errors.append(f"{type(item).__name__} on {item.object_uuid}: {answer['errors']}")
    print(f"{len(built) // 2} claim(s) annotated, {len(errors)} error(s)", file=sys.stderr)
    for error in errors:
        print(error, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
