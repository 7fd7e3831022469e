"""What data teams need: rules from text, rules that pickle, bounded shared pools, Arrow in
and out, and traces built as Python objects equal to the JSON the command line writes."""

import json
import os
import pickle
from pathlib import Path

import pyarrow as pa
import pytest

import credence
from conftest import REAL, ROOT, RULES


def real_cases():
    return sorted(REAL.glob("*.json"))


def test_traces_built_as_objects_equal_the_json_text_in_both_views(rules):
    for path in real_cases():
        text = path.read_text()
        for as_of in [None, "claim+24h", "start+1h"]:
            built = rules.score(text, as_of=as_of)
            written = json.loads(rules.render(text, "json", as_of=as_of))
            assert built == written, (path.name, as_of)
            # the same types, not only equal values: 1 and 1.0 and True compare equal
            assert json.dumps(built) == json.dumps(written), (path.name, as_of)


def test_rules_compile_from_text_to_the_same_hash(rules):
    sources = rules.sources
    assert [name.rsplit("/", 1)[-1] for name, _ in sources] == [
        "claims.cred",
        "shared.cred",
        "hypotheses.cred",
        "case.schema.json",
    ]
    from_text = credence.compile_sources(dict(sources))
    assert from_text.ruleset == rules.ruleset
    assert credence.compile_sources(sources).ruleset == rules.ruleset
    one = credence.compile_sources(
        {"fast.cred": 'ruleset fast { version "1" }\nscore s {\n  criterion c {\n'
         '    when claim.a == 1 => 1 "a"\n    else => 0 "not a"\n  }\n}\n'}
    )
    assert one.score({"claim": {"a": 1}})["scores"][0]["value"]["points"] == 1
    with pytest.raises(credence.CompileError) as raised:
        credence.compile_sources({"bad.cred": "ruleset bad { version 1 }"})
    assert raised.value.diagnostics[0]["file"] == "bad.cred"


def test_pickled_rules_score_like_the_original(rules):
    copy = pickle.loads(pickle.dumps(rules))
    assert copy.ruleset == rules.ruleset
    cases = [p.read_text() for p in real_cases()]
    assert copy.score_many(cases) == rules.score_many(cases)


def test_altered_pickled_rules_are_refused(rules):
    rebuild, (sources, digest) = rules.__reduce__()
    altered = [(name, text.replace("lr 8", "lr 9")) for name, text in sources]
    with pytest.raises(ValueError, match="altered"):
        rebuild(altered, digest)
    assert rebuild(sources, digest).ruleset == rules.ruleset


def tasks():
    return len(os.listdir("/proc/self/task"))


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="counts threads in /proc")
def test_batches_share_bounded_pools(rules):
    cases = [p.read_text() for p in real_cases()[:8]]
    first = rules.score_many(cases, threads=1)
    assert rules.score_many(cases) == first
    before = tasks()
    for _ in range(20):
        assert rules.score_many(cases, threads=1) == first
        assert rules.score_many(cases) == first
    assert tasks() == before, "no new threads once the pools exist"
    cores = len(os.sched_getaffinity(0))
    for threads in [0, cores + 1]:
        with pytest.raises(ValueError, match="threads"):
            rules.score_many(cases, threads=threads)


def test_arrow_in_arrow_out_in_order_with_bad_rows_in_place(rules):
    paths = real_cases()
    texts = [p.read_text() for p in paths]
    column = texts[:2] + [None, '{"claim": {"published_at": "yesterday"}, "incident": {}}'] + texts[2:]
    batch = pa.record_batch({"case": pa.array(column, pa.string())})
    out = rules.score_arrow(batch, threads=1)
    assert isinstance(out, pa.RecordBatch)
    assert rules.score_names == ["credibility", "link"]
    assert out.schema.names == ["id", "verdict", "settled", "credibility", "link", "trace", "error"]
    assert out.schema.field("credibility").type == pa.float64()
    rows = out.to_pylist()
    assert len(rows) == len(column)
    assert rows[2]["error"] == "the case is null" and rows[2]["trace"] is None
    assert "claim.published_at" in rows[3]["error"] and rows[3]["verdict"] is None
    good = rows[:2] + rows[4:]
    assert [r["id"] for r in good] == [p.stem for p in paths]
    for row, text in zip(good, texts):
        trace = rules.score(text)
        assert json.loads(row["trace"]) == trace
        assert row["error"] is None
        assert row["verdict"] == trace["verdict"]["label"]
        assert row["settled"] == trace["verdict"]["settled"]
        scores = {s["name"]: s for s in trace["scores"]}
        assert row["credibility"] == scores["credibility"]["value"]["probability"]
        assert row["link"] == scores["link"]["value"]["points"]


def test_arrow_takes_binary_and_other_column_names_and_says_what_is_wrong(rules):
    text = (REAL / "trebes-2018.json").read_bytes()
    binary = pa.record_batch({"id": pa.array([1]), "doc": pa.array([text], pa.large_binary())})
    out = rules.score_arrow(binary, column="doc", as_of="claim+24h")
    assert out.column("id").to_pylist() == ["trebes-2018"]
    assert json.loads(out.column("trace")[0].as_py())["as_of"]["left_out"]
    with pytest.raises(KeyError, match="no column `case`"):
        rules.score_arrow(binary)
    with pytest.raises(TypeError, match="string or binary"):
        rules.score_arrow(binary, column="id")


def test_arrow_without_traces_gives_the_same_judgements(rules):
    texts = [p.read_text() for p in real_cases()]
    batch = pa.record_batch({"case": pa.array(texts)})
    full = rules.score_arrow(batch)
    lean = rules.score_arrow(batch, trace=False)
    assert "trace" not in lean.schema.names
    assert lean.to_pylist() == full.drop_columns(["trace"]).to_pylist()
