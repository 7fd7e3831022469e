"""The judgement in MISP's terms: tags, opinion, note, report and the assessment object."""

import json

import pytest
from conftest import REPO, case
from pytaxonomies import Taxonomies

from credence_misp.judge import RulesError, guard_html, judge, load_rules
from credence_misp.mapping import MappingError

TAXONOMIES = Taxonomies()


@pytest.mark.parametrize(
    "name, confidence, state",
    [
        ("trebes-2018", "high", "complete"),  # settled
        ("conflans-2020", "moderate", "ongoing"),  # open: unknown evidence could change it
        ("quetta-2016", "low", "ongoing"),  # open: the evidence conflicts
    ],
)
def test_tags_say_the_confidence_and_the_workflow_state(rules, name, confidence, state):
    judgement = judge(rules, case(name))
    assert judgement.tags[-2:] == [
        f'estimative-language:confidence-in-analytic-judgment="{confidence}"',
        f'workflow:state="{state}"',
    ]
    credence_event = json.loads(rules.render(case(name), "misp"))["Event"]
    assert judgement.tags[:-2] == [tag["name"] for tag in credence_event["Tag"]]
    for tag in judgement.tags:
        TAXONOMIES.revert_machinetag(tag)  # raises for a tag not in the published taxonomies


@pytest.mark.parametrize(
    "name, opinion", [("trebes-2018", 96), ("oslo-2011", 0), ("quetta-2016", 50), ("conflans-2020", 67)]
)
def test_the_opinion_is_the_probability_in_percent(rules, name, opinion):
    judgement = judge(rules, case(name))
    assert judgement.opinion == opinion == round(rules.score(case(name))["scores"][0]["value"]["probability"] * 100)


def test_the_report_and_note_hold_credences_markdown_trace(rules):
    judgement = judge(rules, case("trebes-2018"))
    markdown = rules.render(case("trebes-2018"), "markdown")
    # the same trace, naming rule files relative to the rule set (no server path in MISP)
    assert "/rules/" not in judgement.report["content"]
    assert judgement.report["content"] == markdown.replace(f"{REPO / 'rules'}/", "")
    assert judgement.note == f"{judgement.key_judgement}\n\n{judgement.report['content']}"
    assert judgement.opinion_comment == (
        "Credibility 95.5% (almost certain), band credible; verdict: credible claim: inspired attack (settled)."
    )


def test_the_assessment_object_and_results_are_deterministic(rules):
    first = judge(rules, case("trebes-2018")).results("b0a3c2a5-5c0f-4d2e-9c59-0e3f1f6a0001")
    again = judge(rules, case("trebes-2018")).results("b0a3c2a5-5c0f-4d2e-9c59-0e3f1f6a0001")
    assert json.dumps(first) == json.dumps(again)
    [obj] = first["Object"]
    values = {a["object_relation"]: a["value"] for a in obj["Attribute"]}
    assert values["verdict"] == "credible claim: inspired attack"
    assert values["settled"] is True
    assert values["opinion"] == "96"
    assert obj["ObjectReference"][0]["referenced_uuid"] == "b0a3c2a5-5c0f-4d2e-9c59-0e3f1f6a0001"


def test_as_of_before_the_claim_names_the_claim_time(rules):
    with pytest.raises(
        MappingError, match=r"claim.published_at \(object attribute published-at\): as of 2018-03-23T10:00:00Z"
    ):
        judge(rules, case("trebes-2018"), as_of="2018-03-23T10:00:00Z")
    with pytest.raises(MappingError, match="^as_of 'yesterday': `yesterday` is not a time"):
        judge(rules, case("trebes-2018"), as_of="yesterday")


def test_rules_that_do_not_compile_are_named():
    with pytest.raises(RulesError, match="the rules at .*README.md do not compile"):
        load_rules(str(REPO / "README.md"))


def test_the_html_guard_escapes_any_tag_but_credences_own():
    markdown = "<script>x</script> <!-- c --> <br> <sub>rules</sub> `claim_delay <= WINDOW` `a < b` <Img/src=x>"
    assert guard_html(markdown) == (
        "&lt;script>x&lt;/script> &lt;!-- c --> <br> <sub>rules</sub> `claim_delay <= WINDOW` `a < b` &lt;Img/src=x>"
    )
    assert guard_html(guard_html(markdown)) == guard_html(markdown)


@pytest.mark.parametrize("name", sorted(p.stem for p in (REPO / "fixtures" / "real").glob("*.json")))
def test_the_html_guard_leaves_credences_markdown_alone(rules, name):
    markdown = rules.render(case(name), "markdown")
    assert guard_html(markdown) == markdown
