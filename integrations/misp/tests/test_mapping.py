"""Unit tests of the mapping from MISP to a Credence case."""

import base64
import json

import pytest
from conftest import REPO, case, claim_object

from credence_misp.mapping import (
    RELATIONS,
    MappingError,
    case_from_attribute,
    case_from_object,
    claim_objects,
    template,
)

REAL = sorted(p.stem for p in (REPO / "fixtures" / "real").glob("*.json"))


def attribute(relation, value):
    return {"object_relation": relation, "value": value}


def mapped(*attributes):
    return case_from_object({"name": "claim-of-responsibility", "uuid": "u-1", "Attribute": list(attributes)})


def trace_without_case_hash(rules, document):
    trace = rules.score(document)
    trace["provenance"].pop("case_hash")
    return trace


@pytest.mark.parametrize("name", REAL)
def test_an_object_and_its_supplement_score_as_the_case(rules, name):
    original = case(name)
    assert trace_without_case_hash(rules, case_from_object(claim_object(original))) == trace_without_case_hash(
        rules, original
    )


@pytest.mark.parametrize("name", REAL)
def test_an_object_alone_scores(rules, name):
    document = case_from_object(claim_object(case(name), supplement=False))
    assert rules.score(document)["verdict"]["label"]


def test_each_relation_fills_its_case_path():
    document = mapped(
        attribute("claimant", "Islamic State"),
        attribute("channel-class", "official_agency"),
        attribute("published-at", "2018-03-23T16:00:00.000000+0000"),
        attribute("attack-started-at", "2018-03-23T10:10:00+01:00"),
        attribute("reposted-by-official-outlets", "1"),
        attribute("real-time-contact", "0"),
        attribute("claimed-attackers", "2"),
        attribute("weapon", "knife"),
        attribute("weapon", "handgun"),
        attribute("exclusive-media", "none"),
        attribute("case-id", "trebes"),
    )
    assert document == {
        "format": 2,
        "id": "trebes",
        "claim": {
            "claimant": "Islamic State",
            "channel_class": "official_agency",
            "published_at": "2018-03-23T16:00:00Z",
            "reposted_by_official_outlets": True,
            "details": {"attackers": 2},
            "exclusive_media": [],
        },
        "incident": {
            "started_at": "2018-03-23T10:10:00+01:00",
            "attacker": {"real_time_contact": False},
            "facts": {"weapons": ["knife", "handgun"]},
        },
    }


def test_the_case_does_not_depend_on_the_order_of_the_relations():
    claim = claim_object(case("trebes-2018"))
    first = json.dumps(case_from_object(claim))
    claim["Attribute"].sort(key=lambda a: a["object_relation"], reverse=True)  # stable: lists keep their order
    assert json.dumps(case_from_object(claim)) == first


def test_what_the_object_does_not_give_stays_unknown():
    document = mapped(attribute("claimant", "Islamic State"))
    assert document == {"format": 2, "id": "misp-u-1", "claim": {"claimant": "Islamic State"}}


def test_a_time_without_offset_is_utc_and_deleted_attributes_are_ignored():
    document = mapped(
        attribute("published-at", "2018-03-23 16:00:00"),
        {**attribute("channel", "amaq"), "deleted": True},
    )
    assert document["claim"] == {"published_at": "2018-03-23T16:00:00Z"}


@pytest.mark.parametrize(
    "relation, value, message",
    [
        ("claimed-killed", "many", "expected a whole number"),
        ("killed", "-1", "expected a count"),
        ("self-declared-allegiance", "maybe", "expected a boolean"),
        ("published-at", "yesterday", "expected a date and time"),
        ("channel-class", "telegram", "is not one of official_agency"),
        ("exclusive-media", "selfie", "is not one of pledge_video"),
    ],
)
def test_a_bad_value_names_the_attribute_and_the_case_path(relation, value, message):
    with pytest.raises(MappingError) as raised:
        mapped(attribute(relation, value))
    [error] = raised.value.errors
    assert error["relation"] == relation
    assert error["path"] == RELATIONS[relation][0]
    assert message in error["message"]
    assert f"{RELATIONS[relation][0]} (object attribute {relation}):" in str(raised.value)


def test_a_single_valued_relation_given_twice_is_refused():
    with pytest.raises(MappingError, match=r"claim.channel \(object attribute channel\): given 2 times"):
        mapped(attribute("channel", "amaq"), attribute("channel", "nashir"))


def test_none_stands_alone():
    with pytest.raises(MappingError, match="cannot stand with other values"):
        mapped(attribute("exclusive-media", "none"), attribute("exclusive-media", "posed_photo"))


def test_the_object_is_laid_over_its_supplement():
    supplement = {"id": "from-supplement", "claim": {"claimant": "old", "channel": "amaq"}, "posts": []}
    data = base64.b64encode(json.dumps(supplement).encode()).decode()
    document = mapped(
        {"object_relation": "supplement", "type": "attachment", "value": "case.json", "data": data},
        attribute("claimant", "new"),
    )
    assert document == {
        "format": 2,
        "id": "from-supplement",
        "claim": {"claimant": "new", "channel": "amaq"},
        "posts": [],
    }


def test_a_supplement_without_content_or_json_is_named():
    for data, message in [(None, "content was not sent"), (base64.b64encode(b"{nope").decode(), "not JSON")]:
        with pytest.raises(MappingError, match=f"^object attribute supplement: .*{message}"):
            mapped({"object_relation": "supplement", "type": "attachment", "data": data})


def test_another_object_is_refused():
    with pytest.raises(MappingError, match="expected a claim-of-responsibility object"):
        case_from_object({"name": "file", "Attribute": []})


def test_a_case_given_whole_as_attachment_or_text():
    document = case("trebes-2018")
    text = json.dumps(document)
    assert case_from_attribute({"type": "text", "value": text}) == document
    assert (
        case_from_attribute({"type": "attachment", "value": "t.json", "data": base64.b64encode(text.encode()).decode()})
        == document
    )
    with pytest.raises(MappingError, match="holds no JSON case"):
        case_from_attribute({"type": "text", "value": "Amaq claimed it"})
    with pytest.raises(MappingError, match="must be a JSON object"):
        case_from_attribute({"type": "text", "value": "[1]"})


def test_claim_objects_of_both_event_shapes():
    claim = {"name": "claim-of-responsibility", "uuid": "a"}
    others = [{"name": "file"}, {"name": "claim-of-responsibility", "uuid": "b", "deleted": True}]
    assert claim_objects({"Event": {"Object": [claim, *others]}}) == [claim]
    assert claim_objects({"Event": {"info": "x"}, "Object": [claim]}) == [claim]


def test_every_relation_is_in_the_template_and_every_template_relation_is_mapped():
    assert set(template()["attributes"]) == set(RELATIONS) | {"supplement"}
