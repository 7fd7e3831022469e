"""Validates Credence's STIX 2.1 and MISP exports of every shipped case of both packs with the
formats' own tools: the OASIS STIX validator (no errors allowed) and PyMISP with the published
MISP taxonomies (every tag must exist in them). Run by `.ci/interchange` from the repository root
after `cargo build`; `CREDENCE_BIN` names another binary.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from pymisp import MISPEvent
from pytaxonomies import Taxonomies
from stix2validator import ValidationOptions, validate_string

CREDENCE = os.environ.get("CREDENCE_BIN", "target/debug/credence")


def shipped_cases(scratch: Path) -> list[Path]:
    """The real incidents, the fixture case files, and every fixture's inline case."""
    cases = sorted(Path("fixtures/real").glob("*.json")) + sorted(Path("fixtures/cases").glob("*.json"))
    for fixture in sorted(Path("fixtures").glob("*.json")):
        case = json.loads(fixture.read_text()).get("case")
        if isinstance(case, dict):
            path = scratch / f"inline-{fixture.name}"
            path.write_text(json.dumps(case))
            cases.append(path)
    return cases


def export(fmt: str, cases: list[Path], rules: str, extra: list[str]) -> list[str]:
    """One exported document per case (several cases give one per line)."""
    out = subprocess.run(
        [CREDENCE, "score", *extra, "--format", fmt, rules, *map(str, cases)],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        sys.exit(f"credence score --format {fmt} failed ({out.returncode}): {out.stderr}")
    lines = out.stdout.splitlines()
    if len(lines) != len(cases):
        sys.exit(f"{fmt}: {len(lines)} documents for {len(cases)} cases")
    return lines


def main() -> int:
    failures = 0
    with tempfile.TemporaryDirectory() as scratch:
        attack = shipped_cases(Path(scratch))
        # The attack pack's cases again with an opinion per competing hypothesis.
        packs = [
            ("rules/", attack, []),
            ("rules/", attack, ["--hypotheses"]),
            ("rules/cyber/", sorted(Path("fixtures/cyber").glob("*.json")), []),
        ]
        failures += sum(validate(rules, cases, extra) for rules, cases, extra in packs)
        print(f"{sum(len(c) for _, c, _ in packs)} exports: STIX bundles and MISP events checked, {failures} failure(s)")
    return 1 if failures else 0


def validate(rules: str, cases: list[Path], extra: list[str]) -> int:
    """Validates the exports of `cases` scored with `rules` (and `extra` options); the number
    of failures."""
    failures = 0
    options = ValidationOptions(version="2.1")
    for case, bundle in zip(cases, export("stix", cases, rules, extra)):
        result = validate_string(bundle, options)
        errors = [str(e) for e in result.errors]
        if not result.is_valid or errors:
            failures += 1
            print(f"FAIL STIX {case}: {errors or 'invalid'}")
    taxonomies = Taxonomies()
    for case, document in zip(cases, export("misp", cases, rules, extra)):
        event = MISPEvent()
        event.load(document)
        problems = []
        if not event.info or not event.uuid:
            problems.append("no info or uuid")
        for tag in event.tags:
            try:
                taxonomies.revert_machinetag(tag.name)
            except (KeyError, ValueError) as e:
                problems.append(f"tag {tag.name} is not in the taxonomies ({e})")
        if len(event.tags) < 2:
            problems.append("the Admiralty tags are missing")
        if extra and len(json.loads(document)["Event"]["Opinion"]) < 3:
            problems.append("no opinion per hypothesis")
        if problems:
            failures += 1
            print(f"FAIL MISP {case}: {problems}")
    return failures


if __name__ == "__main__":
    sys.exit(main())
