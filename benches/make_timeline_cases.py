#!/usr/bin/env python3
"""Writes the cases `credence timeline` is measured on (docs/PERFORMANCE.md, "Timelines"): the
Trebes case with N dated supporter posts (a moment each, read by the rules), and with N dated
objects in a field no rule reads.

    benches/make_timeline_cases.py DIR
"""
import copy
import json
import sys
from pathlib import Path

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
base = json.loads(Path("fixtures/real/trebes-2018.json").read_text())


def stamp(i):
    return "2018-03-%02dT%02d:%02d:%02dZ" % (23 + i // 86400, 16 + (i // 3600) % 8, (i // 60) % 60, i % 60)


for n in (10_000, 100_000):
    case = copy.deepcopy(base)
    case["posts"] = [
        {"at": stamp(i), "account": "a%d" % (i % 500), "lang": "fr", "country": "FR"} for i in range(n)
    ]
    (out / f"posts-{n}.json").write_text(json.dumps(case))

case = copy.deepcopy(base)
case["unread_notes"] = [{"known_at": stamp(i * 10), "note": "x"} for i in range(20_000)]
(out / "unread-20000.json").write_text(json.dumps(case))
