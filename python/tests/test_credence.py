"""The Python package against the shipped rules and cases, and against the command line."""

import json
import os
import subprocess
from pathlib import Path

import pytest

import credence
from conftest import REAL, ROOT, RULES


def case(name):
    return json.loads((REAL / f"{name}.json").read_text())


def test_compiles_the_shipped_rules(rules):
    ruleset, version, digest = rules.ruleset
    assert ruleset == "claims_of_responsibility"
    header = (RULES / "claims.cred").read_text()
    assert f'version     "{version}"' in header
    assert digest.startswith("sha256:")
    assert "claims_of_responsibility" in repr(rules)


def test_a_case_gives_the_json_trace(rules):
    trace = rules.score(case("trebes-2018"))
    assert trace["format_version"] == 2
    assert trace["case"] == "trebes-2018"
    assert trace["verdict"]["label"] == "credible claim: inspired attack"
    credibility = next(s for s in trace["scores"] if s["name"] == "credibility")
    assert credibility["value"]["estimative"] == "almost certain"
    # str and bytes give the same trace; a dict too, but for the hash of its re-serialised text
    text = (REAL / "trebes-2018.json").read_text()
    from_text = rules.score(text)
    assert from_text == rules.score(text.encode())
    assert from_text["provenance"].pop("case_hash") != trace["provenance"].pop("case_hash")
    assert from_text == trace


def test_the_same_verdict_and_probability_as_the_command_line(rules):
    binary = os.environ.get("CREDENCE_BIN", str(ROOT / "target" / "debug" / "credence"))
    if not Path(binary).exists():
        pytest.skip(f"no command line binary at {binary} (set CREDENCE_BIN)")
    for name in ["trebes-2018", "paris-2015", "munich-2016"]:
        cli = json.loads(
            subprocess.run(
                [binary, "score", "--format", "json", str(RULES), str(REAL / f"{name}.json")],
                capture_output=True,
                check=True,
                text=True,
            ).stdout
        )
        py = rules.score(case(name))
        assert py["verdict"] == cli["verdict"]
        assert py["scores"] == cli["scores"]


def test_rule_errors_raise_with_every_diagnostic(tmp_path):
    bad = tmp_path / "bad.cred"
    bad.write_text('ruleset bad { version "1" }\nscore s {\n  criterion c {\n    when x => 1\n  }\n')
    with pytest.raises(credence.CompileError) as raised:
        credence.compile(str(bad))
    diagnostics = raised.value.diagnostics
    assert diagnostics, "at least one diagnostic"
    assert all({"code", "message", "line", "column", "file"} <= set(d) for d in diagnostics)
    assert diagnostics[0]["code"].startswith("E")


def test_a_bad_case_raises_naming_the_field(rules):
    broken = case("trebes-2018")
    broken["claim"]["published_at"] = "yesterday"
    with pytest.raises(credence.CaseError) as raised:
        rules.score(broken)
    assert raised.value.errors[0]["path"] == "claim.published_at"
    with pytest.raises(TypeError):
        rules.score(42)


def test_many_cases_in_order_and_one_bad_case_loses_nothing(rules):
    names = sorted(p.stem for p in REAL.glob("*.json"))
    cases = [case(n) for n in names]
    cases.insert(3, {"claim": {"published_at": "yesterday"}, "incident": {}})
    results = rules.score_many(cases)
    assert len(results) == len(cases)
    assert results[3]["index"] == 3
    assert results[3]["errors"][0]["path"] == "claim.published_at"
    scored = results[:3] + results[4:]
    assert [r["case"] for r in scored] == names
    assert scored[0] == rules.score(case(names[0]))


def test_as_of_a_moment(rules):
    early = rules.score(case("paris-2015"), as_of="claim+24h")
    assert early["as_of"]["left_out"], "later findings are left out"
    before = rules.score(case("paris-2015"), as_of="start+1h")
    assert before["claim_known"] is False
    numbered = case("paris-2015")
    numbered["id"] = 42
    assert rules.score(numbered, as_of="start+1h")["case"] == "42"
    assert rules.score(numbered)["case"] == "42"
    with pytest.raises(ValueError):
        rules.score(case("paris-2015"), as_of="yesterday")


def test_items_that_are_not_cases_are_reported_in_place(rules):
    cyclic = case("trebes-2018")
    cyclic["self"] = cyclic
    deep = case("trebes-2018")
    nested = deep
    for _ in range(5000):
        nested["unread"] = {}
        nested = nested["unread"]
    good = case("paris-2015")
    items = [good, None, {1, 2}, cyclic, deep, "\ud800", 42, good]
    results = rules.score_many(items)
    assert len(results) == len(items)
    assert results[0]["case"] == "paris-2015" and results[-1]["case"] == "paris-2015"
    for index in range(1, len(items) - 1):
        assert results[index]["index"] == index
        assert results[index]["errors"][0]["message"], results[index]
    assert "lone surrogate" in results[5]["errors"][0]["message"]


def test_a_string_is_not_a_list_of_cases(rules):
    with pytest.raises(TypeError, match="iterable of cases"):
        rules.score_many("ab")
    with pytest.raises(TypeError):
        rules.score_many(case("paris-2015"))


def test_a_case_over_the_size_limit_is_refused_in_place(rules):
    huge = json.dumps(case("paris-2015"))[:-1] + ', "padding": "' + "x" * (65 << 20) + '"}'
    results = rules.score_many([huge, case("paris-2015")])
    assert "over the limit" in results[0]["errors"][0]["message"]
    assert results[1]["case"] == "paris-2015"
    with pytest.raises(credence.CaseError, match="over the limit"):
        rules.score(huge)


def test_an_interrupt_is_honoured_quickly_and_keeps_the_results_so_far(rules):
    import signal
    import time

    cases = [case("paris-2015")] * 20000
    # Ctrl-C as Python handles it, even when the test runs where SIGINT is ignored (a job
    # started in the background by a non-interactive shell inherits SIG_IGN).
    interrupt = signal.signal(signal.SIGINT, signal.default_int_handler)
    previous = signal.signal(signal.SIGALRM, lambda *_: signal.raise_signal(signal.SIGINT))
    signal.setitimer(signal.ITIMER_REAL, 0.5)
    started = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt) as interrupted:
            rules.score_many(cases)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        signal.signal(signal.SIGINT, interrupt)
    assert time.monotonic() - started < 0.5 + 1.5, "honoured within about a second"
    partial = interrupted.value.results
    assert 0 < len(partial) < len(cases)
    assert all(r["case"] == "paris-2015" for r in partial)


def test_the_second_pack_scores_through_the_package():
    cyber = credence.compile(str(ROOT / "rules" / "cyber"))
    assert cyber.ruleset[0] == "cyber_claims"
    assert cyber.score_names == ["credibility", "status"]
    trace = cyber.score((ROOT / "fixtures" / "cyber" / "leak-sample-verified.json").read_text())
    assert trace["verdict"]["label"] == "confirmed claim"
    assert '"type": "opinion"' in cyber.render(
        (ROOT / "fixtures" / "cyber" / "leak-sample-verified.json").read_text(), "stix"
    )


def test_the_competing_hypotheses_render_as_on_the_command_line(rules):
    mumbai = case("mumbai-2008")
    matrix = json.loads(rules.render(mumbai, "json", hypotheses=True))["hypotheses"]
    assert matrix["groups"] == ["Deccan Mujahideen", "Lashkar-e-Taiba"]
    assert abs(sum(h["probability"] for h in matrix["hypotheses"]) - 1) < 1e-9
    leader = next(h for h in matrix["hypotheses"] if h["id"] == matrix["leader"])
    assert (leader["kind"], leader["group"], matrix["settled"]) == ("directed", "Lashkar-e-Taiba", True)
    assert rules.render(mumbai, "csv", hypotheses=True).startswith("row,title,diagnostic,")
    assert "hypotheses" not in json.loads(rules.render(mumbai, "json"))
    with pytest.raises(ValueError, match="add `--hypotheses`"):
        rules.render(mumbai, "csv")
    with pytest.raises(ValueError, match="unknown format"):
        rules.render(mumbai, "achz", hypotheses=True)
