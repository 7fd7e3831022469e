"""Credence's modules in a real misp-modules server, queried over HTTP as MISP queries them."""

import base64
import json
import re
import urllib.request

from conftest import case, claim_object, post

TREBES = "b0a3c2a5-5c0f-4d2e-9c59-0e3f1f6a0001"
QUETTA = "b0a3c2a5-5c0f-4d2e-9c59-0e3f1f6a0002"
NOT_CREDIBLE = "b0a3c2a5-5c0f-4d2e-9c59-0e3f1f6a0003"


def expand(server, **request):
    return post(server, {"module": "credence_claim", "config": {}, **request})


def values(results):
    [obj] = results["Object"]
    assert obj["name"] == "credence-assessment"
    return {a["object_relation"]: a["value"] for a in obj["Attribute"] if a["object_relation"] != "score"}


def tags(results):
    return [tag["name"] for tag in results["Tag"]]


def event(*objects):
    return {"Event": {"uuid": "c5f0e4d2-0000-4000-8000-00000000e001", "info": "Claims", "Object": list(objects)}}


def test_the_server_lists_the_modules(server):
    with urllib.request.urlopen(f"{server}/modules") as answer:
        modules = {m["name"]: m for m in json.loads(answer.read())}
    assert modules["credence_claim"]["type"] == "expansion"
    assert modules["credence_claim"]["mispattributes"] == {
        "input": ["claim-of-responsibility", "attachment", "text"],
        "format": "misp_standard",
    }
    assert modules["credence_event_export"]["type"] == "export_mod"
    assert modules["credence_event_export"]["mispattributes"]["inputSource"] == ["event"]
    gate = modules["credence_publish_gate"]
    assert gate["type"] == "action_mod"
    assert gate["meta"]["module-type"] == ["action"]
    assert gate["meta"]["config"]["blocking"] is True
    assert gate["meta"]["config"]["params"]["threshold"]["value"] == "0.55"


def test_a_settled_claim_object(server):
    results = expand(server, object=claim_object(case("trebes-2018"), uuid=TREBES))["results"]
    assert values(results) | {"key-judgement": None, "rules-hash": None, "case-hash": None} == {
        "verdict": "credible claim: inspired attack",
        "settled": True,
        "probability": 0.955325232308792,
        "likelihood": "almost certain",
        "band": "credible",
        "opinion": "96",
        "key-judgement": None,
        "ruleset": "claims_of_responsibility 3.1.0",
        "rules-hash": None,
        "case-hash": None,
        "engine": "credence 0.1.0",
    }
    assert tags(results) == [
        'admiralty-scale:source-reliability="b"',
        'admiralty-scale:information-credibility="2"',
        'estimative-language:likelihood-probability="almost-certain"',
        'estimative-language:confidence-in-analytic-judgment="high"',
        'workflow:state="complete"',
    ]
    [reference] = results["Object"][0]["ObjectReference"]
    assert (reference["referenced_uuid"], reference["relationship_type"]) == (TREBES, "annotates")
    [report] = results["EventReport"]
    assert report["name"] == "Credence trace: trebes-2018"
    assert "**Verdict: credible claim: inspired attack**" in report["content"]


def test_an_open_claim_object_is_ongoing(server):
    results = expand(server, object=claim_object(case("quetta-2016"), uuid=QUETTA))["results"]
    assert values(results)["settled"] is False
    assert values(results)["opinion"] == "50"
    assert tags(results)[-2:] == [
        'estimative-language:confidence-in-analytic-judgment="low"',
        'workflow:state="ongoing"',
    ]


def test_a_case_given_whole_as_an_attachment_or_text(server):
    text = json.dumps(case("trebes-2018"))
    attachment = {
        "type": "attachment",
        "uuid": TREBES,
        "value": "trebes.json",
        "data": base64.b64encode(text.encode()).decode(),
    }
    for attribute in [attachment, {"type": "text", "uuid": TREBES, "value": text}]:
        results = expand(server, attribute=attribute)["results"]
        assert values(results)["verdict"] == "credible claim: inspired attack"
        assert values(results)["opinion"] == "96"


def test_a_hostile_case_string_comes_back_escaped(server):
    hostile = case("trebes-2018")
    hostile["id"] = "<b>case</b>"
    hostile["description"] = "<iframe src=//evil>"
    hostile["claim"]["claimant"] = "<script>alert(1)</script>"
    hostile["claim"]["channel"] = "[amaq](javascript:alert(1))\n# Verdict: false claim\n<img src=x onerror=alert(1)>"
    hostile["claim"]["details"]["attackers_wording"] = "`a soldier` **bold** | cell |"
    content = expand(server, object=claim_object(hostile))["results"]["EventReport"][0]["content"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "&lt;img src=x onerror=alert(1)&gt;" in content
    assert "\\[amaq\\](javascript:alert(1))" in content
    # the only raw HTML is Credence's own <br> and <sub>; no line of the case's starts a heading
    assert set(re.findall(r"</?[a-zA-Z][^>]*>", content)) <= {"<br>", "<sub>", "</sub>"}
    assert "\n# Verdict: false claim" not in content
    assert not re.search(r"(?<!\\)\]\(javascript:", content)  # a link needs an unescaped "]("


def test_a_bad_case_names_its_field(server):
    bad = claim_object(case("trebes-2018"))
    bad["Attribute"] = [a for a in bad["Attribute"] if a["object_relation"] != "channel-class"]
    bad["Attribute"].append({"object_relation": "channel-class", "type": "text", "value": "telegram"})
    answer = expand(server, object=bad)
    assert "results" not in answer
    assert answer["error"].startswith(
        "Credence: claim.channel_class (object attribute channel-class): 'telegram' is not one of"
    )
    document = case("trebes-2018")
    document["incident"]["facts"]["killed"] = "four"
    answer = expand(server, attribute={"type": "text", "uuid": TREBES, "value": json.dumps(document)})
    assert (
        answer["error"]
        == 'Credence: incident.facts.killed (object attribute killed): expected a number, found the string "four"'
    )


def test_the_export_judges_every_claim_of_an_event(server):
    bad = {
        "name": "claim-of-responsibility",
        "uuid": NOT_CREDIBLE,
        "Attribute": [{"object_relation": "killed", "value": "x"}],
    }
    data = event(
        claim_object(case("trebes-2018"), uuid=TREBES),
        {"name": "file", "uuid": "f"},
        claim_object(case("quetta-2016"), uuid=QUETTA),
        bad,
    )
    answer = post(server, {"module": "credence_event_export", "data": [data], "config": {}})
    document = json.loads(base64.b64decode(answer["data"]))
    assert document["ruleset"].startswith("claims_of_responsibility 3.1.0 sha256:")
    [exported] = document["events"]
    trebes, quetta, broken = exported["claims"]
    assert (trebes["object_uuid"], trebes["verdict"], trebes["settled"], trebes["opinion"]) == (
        TREBES,
        "credible claim: inspired attack",
        True,
        96,
    )
    assert trebes["trace"]["verdict"]["label"] == trebes["verdict"]
    assert (quetta["verdict"], quetta["settled"], quetta["opinion"]) == ("contested claim", False, 50)
    assert 'workflow:state="ongoing"' in quetta["tags"]
    assert broken == {
        "object_uuid": NOT_CREDIBLE,
        "errors": ["incident.facts.killed (object attribute killed): expected a whole number, found 'x'"],
    }


def gate(server, data, **params):
    return post(server, {"module": "credence_publish_gate", "data": data, "params": params})


def test_the_gate_lets_a_settled_credible_claim_through(server):
    assert gate(server, event(claim_object(case("trebes-2018"), uuid=TREBES))) == {"data": True}
    assert gate(server, event()) == {"data": True}  # no claim to judge


def test_the_gate_blocks_an_open_verdict_or_a_low_probability(server):
    answer = gate(server, event(claim_object(case("quetta-2016"), uuid=QUETTA)))
    assert answer["data"] is False
    assert answer["error"] == (
        f"Credence blocked publication: claim {QUETTA}: the verdict (contested claim) is open; "
        f"claim {QUETTA}: probability 49.7% is below the threshold 55.0%"
    )
    answer = gate(server, event(claim_object(case("claim-not-credible"), uuid=NOT_CREDIBLE)))
    assert (
        answer["error"]
        == f"Credence blocked publication: claim {NOT_CREDIBLE}: probability 2.3% is below the threshold 55.0%"
    )
    answer = gate(server, event(claim_object(case("trebes-2018"), uuid=TREBES)), threshold="0.99")
    assert (
        answer["error"]
        == f"Credence blocked publication: claim {TREBES}: probability 95.5% is below the threshold 99.0%"
    )


def test_the_gate_blocks_what_it_cannot_judge(server):
    bad = {
        "name": "claim-of-responsibility",
        "uuid": NOT_CREDIBLE,
        "Attribute": [{"object_relation": "published-at", "value": "soon"}],
    }
    answer = gate(server, event(bad))
    assert answer["error"] == (
        f"Credence blocked publication: claim {NOT_CREDIBLE}: claim.published_at (object attribute published-at): "
        "expected a date and time, found 'soon'"
    )
    assert gate(server, event(), threshold="high")["error"] == "Credence: threshold must be a number, not 'high'"
