"""Judging a case with Credence and saying the judgement in MISP's terms.

Credence does all the scoring and rendering: `Rules.score` gives the JSON trace and
`Rules.render(case, "misp")` the MISP event of `credence score --format misp` (its Admiralty
and likelihood tags, its key judgement and its Markdown trace). This module only reads them:
the two tags Credence's event lacks (confidence, workflow state), the opinion, the note and
the credence-assessment object.
"""

import json
import os
import re
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import credence
from pymisp import MISPEventReport, MISPObject

from .mapping import RELATION_OF_PATH, MappingError, case_from_object, claim_objects, template

DEFAULT_RULES = Path(__file__).resolve().parents[3] / "rules"
ASSESSMENT_OBJECT = "credence-assessment"


def guard_html(markdown):
    """Credence escapes every case string in its Markdown; as a second line of defence, any "<"
    that could open an HTML tag, comment or declaration, other than Credence's own <br> and
    <sub>, is escaped too (a "<" before a space or "=", as in rule code, is left alone)."""
    return re.sub(r"<(?=[A-Za-z/!?])(?!(?:br|sub|/sub)>)", "&lt;", markdown)


def rules_path(config):
    """The rules to judge with: the module's `rules` setting, $CREDENCE_RULES, or the repository's."""
    return (config or {}).get("rules") or os.environ.get("CREDENCE_RULES") or str(DEFAULT_RULES)


class RulesError(RuntimeError):
    """The configured rules cannot be read or compiled."""


def load_rules(path):
    """The rules at `path`, compiled once for the life of the process (restart after a rule change)."""
    try:
        return _compile(path)
    except (credence.CompileError, OSError) as e:
        raise RulesError(f"the rules at {path} do not compile: {e}") from None


@lru_cache(maxsize=8)
def _compile(path):
    return credence.compile(path)


@dataclass(frozen=True)
class Judgement:
    """One case judged: Credence's JSON trace and Credence's MISP event for it."""

    trace: dict
    event: dict

    @property
    def verdict(self):
        return self.trace["verdict"]["label"] if self.trace["verdict"] else "no verdict"

    @property
    def settled(self):
        return bool(self.trace["verdict"] and self.trace["verdict"]["settled"])

    @property
    def conflicting(self):
        return bool(self.trace["verdict"] and self.trace["verdict"]["conflicts"])

    @property
    def probability_score(self):
        """The first score that gives a probability (credibility, in the shipped rules). There is
        one: Credence's MISP export needs a rule set whose profile names a probability score."""
        return next(s for s in self.trace["scores"] if "probability" in s["value"])

    @property
    def probability(self):
        return self.probability_score["value"]["probability"]

    @property
    def likelihood(self):
        return self.probability_score["value"]["estimative"]

    @property
    def band(self):
        band = self.probability_score["band"]
        return band["label"] if band else None

    @property
    def tags(self):
        """Credence's Admiralty and likelihood tags, then confidence and workflow state."""
        if self.settled:
            confidence = "high"
        elif self.conflicting:
            confidence = "low"
        else:
            confidence = "moderate"
        return [tag["name"] for tag in self.event["Tag"]] + [
            f'estimative-language:confidence-in-analytic-judgment="{confidence}"',
            f'workflow:state="{"complete" if self.settled else "ongoing"}"',
        ]

    @property
    def opinion(self):
        """The probability that the claim is genuine as a MISP opinion: in percent, rounded."""
        return round(self.probability * 100)

    @property
    def key_judgement(self):
        return self.event["Note"][0]["note"]

    @property
    def opinion_comment(self):
        """One plain sentence: the probability, its band, the verdict and whether it is settled."""
        state = "settled" if self.settled else "open"
        return (
            f"{self.probability_score['name'].capitalize()} {self.probability:.1%} ({self.likelihood}), "
            f"band {self.band}; verdict: {self.verdict} ({state})."
        )

    @property
    def report(self):
        """Credence's Markdown trace as a MISP event report, HTML-guarded."""
        report = self.event["EventReport"][0]
        return {**report, "content": guard_html(report["content"])}

    @property
    def note(self):
        """The analyst note: the key judgement, then the full Markdown trace."""
        return f"{self.key_judgement}\n\n{self.report['content']}"

    @property
    def scores(self):
        """Each score in one line: its value, band and whether it is settled."""
        lines = []
        for score in self.trace["scores"]:
            value = score["value"]
            amount = f"{value['probability']:.1%}" if "probability" in value else f"{value['points']} points"
            band = f", band {score['band']['label']}" if score["band"] else ""
            lines.append(f"{score['name']}: {amount}{band} ({'settled' if score['settled'] else 'open'})")
        return lines

    def assessment_object(self, claim_uuid=None):
        """The credence-assessment object, tagged, annotating the claim object it judges."""
        obj = MISPObject(ASSESSMENT_OBJECT, standalone=False, misp_objects_template_custom=template(ASSESSMENT_OBJECT))
        obj.uuid = str(uuid.uuid5(uuid.UUID(self.event["uuid"]), f"{ASSESSMENT_OBJECT}/{claim_uuid}"))
        provenance = self.trace["provenance"]
        values = [
            ("verdict", self.verdict),
            ("settled", self.settled),
            ("probability", self.probability),
            ("likelihood", self.likelihood),
            ("band", self.band),
            *[("score", line) for line in self.scores],
            ("opinion", self.opinion),
            ("key-judgement", self.key_judgement),
            ("as-of", (self.trace.get("as_of") or {}).get("at")),
            ("ruleset", f"{provenance['ruleset']} {provenance['version']}"),
            ("rules-hash", provenance["rules_hash"]),
            ("case-hash", provenance["case_hash"]),
            ("engine", provenance["engine"]),
        ]
        for index, (relation, value) in enumerate(values):
            if value is not None:
                tags = [{"name": tag} for tag in self.tags] if relation == "verdict" else []
                obj.add_attribute(
                    relation, value=value, uuid=str(uuid.uuid5(uuid.UUID(obj.uuid), str(index))), Tag=tags
                )
        if claim_uuid:
            obj.add_reference(claim_uuid, "annotates", uuid=str(uuid.uuid5(uuid.UUID(obj.uuid), "annotates")))
        return obj

    def results(self, claim_uuid=None):
        """Expansion results in the MISP standard format: the object, the report and the tags."""
        report = MISPEventReport()
        report.from_dict(**self.report)
        return {
            "Object": [json.loads(self.assessment_object(claim_uuid).to_json())],
            "EventReport": [json.loads(report.to_json())],
            "Tag": [{"name": tag} for tag in self.tags],
        }


def judge(rules, case, as_of=None):
    """Scores a case; a case Credence refuses raises MappingError naming its fields."""
    try:
        trace = rules.score(case, as_of=as_of)
        event = json.loads(rules.render(case, "misp", as_of=as_of))
    except credence.CaseError as e:
        raise MappingError(
            [
                {
                    "path": error.get("path"),
                    "relation": RELATION_OF_PATH.get(error.get("path")),
                    "message": error["message"],
                }
                for error in e.errors
            ]
        ) from None
    except ValueError as e:  # the as_of setting, or rules without the profile an export needs
        raise MappingError([{"path": None, "message": f"as_of {as_of!r}: {e}" if as_of else str(e)}]) from None
    if "Event" not in event:
        published = event.get("claim_published_at") or "later"
        raise MappingError(
            [
                {
                    "path": "claim.published_at",
                    "relation": "published-at",
                    "message": f"as of {event['as_of']['at']} no claim is known yet (published {published})",
                }
            ]
        )
    return Judgement(trace, event["Event"])


def judge_claims(rules, event, as_of=None):
    """Each claim object of an event with its Judgement, or the MappingError that stopped it."""
    outcomes = []
    for claim in claim_objects(event):
        try:
            outcomes.append((claim, judge(rules, case_from_object(claim), as_of)))
        except MappingError as e:
            outcomes.append((claim, e))
    return outcomes
