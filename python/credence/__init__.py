"""Credence from Python: compile claim-verification rules and score cases.

    import credence
    rules = credence.compile("rules/")            # or credence.compile_sources({name: text})
    trace = rules.score({"incident": {...}, "claim": {...}})
    trace["verdict"]["label"], trace["scores"][0]["value"]
    rules.render(case, "stix")                    # any output format of the command line
    rules.score_many(cases, threads=4)            # in parallel on a shared pool, without the GIL
    rules.score_arrow(record_batch)               # Arrow in, Arrow out (pyarrow.RecordBatch)
    pickle.loads(pickle.dumps(rules))             # rules travel to worker processes

Each trace is the dict `credence score --format json` prints (docs/TRACE.md in the repository).
"""

from ._credence import CaseError, CompileError, Rules, compile, compile_sources

__all__ = ["CaseError", "CompileError", "Rules", "compile", "compile_sources"]
