"""Credence from Python: compile claim-verification rules and score cases.

    import credence
    rules = credence.compile("rules/")
    trace = rules.score({"incident": {...}, "claim": {...}})
    trace["verdict"]["label"], trace["scores"][0]["value"]

Each trace is the dict `credence score --format json` prints (docs/TRACE.md in the repository).
"""

from ._credence import CaseError, CompileError, Rules, compile

__all__ = ["CaseError", "CompileError", "Rules", "compile"]
