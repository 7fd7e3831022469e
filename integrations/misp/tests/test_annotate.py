"""annotate.py offline: the Opinion and Note it builds, and what it sends through PyMISP."""

import json

import annotate
import pytest
from conftest import REPO, case, claim_object
from pymisp import MISPNote, MISPOpinion

TREBES = "b0a3c2a5-5c0f-4d2e-9c59-0e3f1f6a0001"
OSLO = "b0a3c2a5-5c0f-4d2e-9c59-0e3f1f6a0002"
BAD = "b0a3c2a5-5c0f-4d2e-9c59-0e3f1f6a0003"


def event():
    bad = {"name": "claim-of-responsibility", "uuid": BAD, "Attribute": [{"object_relation": "killed", "value": "x"}]}
    objects = [claim_object(case("trebes-2018"), uuid=TREBES), claim_object(case("oslo-2011"), uuid=OSLO), bad]
    return {"Event": {"id": "42", "info": "Claims", "Object": objects}}


def test_an_opinion_and_a_note_per_claim(rules):
    built, errors = annotate.annotations(event(), rules)
    assert [type(item) for item in built] == [MISPOpinion, MISPNote, MISPOpinion, MISPNote]
    trebes_opinion, trebes_note, oslo_opinion, _ = built
    assert (trebes_opinion.object_uuid, trebes_opinion.object_type) == (TREBES, "Object")
    assert trebes_opinion.opinion == 96  # 95.5 %
    assert oslo_opinion.opinion == 0  # a false claim, 0.0 %
    assert trebes_opinion.comment.startswith("Credibility 95.5% (almost certain), band credible")
    assert trebes_opinion.authors == "Credence, rules claims_of_responsibility 3.1.0"
    assert trebes_note.language == "en"
    assert trebes_note.note.startswith("Credible claim: inspired attack (settled). It is almost certain (95.5%)")
    assert "# Claim assessment: trebes-2018" in trebes_note.note
    assert "**Verdict: credible claim: inspired attack**" in trebes_note.note
    assert errors == [
        f"claim {BAD}: incident.facts.killed (object attribute killed): expected a whole number, found 'x'"
    ]
    again, _ = annotate.annotations(event(), rules)
    assert [item.to_json() for item in again] == [item.to_json() for item in built]


class FakeMISP:
    """Stands in for PyMISP: serves the event and records what would be sent."""

    sent = []

    def __init__(self, url, key, ssl=True):
        assert (url, key, ssl) == ("https://misp.example", "KEY", True)

    def get_event(self, event_id):
        assert event_id == "42"
        return event()

    def add_opinion(self, opinion):
        self.sent.append(opinion)
        return {"Opinion": json.loads(opinion.to_json())}

    def add_note(self, note):
        self.sent.append(note)
        return {"Note": json.loads(note.to_json())}


def test_main_sends_the_analyst_data(monkeypatch, capsys):
    FakeMISP.sent = []
    monkeypatch.setattr(annotate, "PyMISP", FakeMISP)
    code = annotate.main(
        ["--url", "https://misp.example", "--key", "KEY", "--event", "42", "--rules", str(REPO / "rules")]
    )
    assert code == 1  # the bad claim
    assert [type(item).__name__ for item in FakeMISP.sent] == ["MISPOpinion", "MISPNote", "MISPOpinion", "MISPNote"]
    assert "2 claim(s) annotated, 1 error(s)" in capsys.readouterr().err


def test_dry_run_prints_instead_of_sending(monkeypatch, capsys):
    FakeMISP.sent = []
    monkeypatch.setattr(annotate, "PyMISP", FakeMISP)
    annotate.main(["--url", "https://misp.example", "--key", "KEY", "--event", "42", "--dry-run"])
    assert FakeMISP.sent == []
    assert '"opinion": "96"' in capsys.readouterr().out


def test_rules_that_do_not_compile_stop_it():
    with pytest.raises(SystemExit, match="annotate: the rules at .* do not compile"):
        annotate.main(["--url", "u", "--key", "k", "--event", "1", "--rules", str(REPO / "README.md")])
