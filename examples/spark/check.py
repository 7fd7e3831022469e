"""Runs the Spark example in local mode and checks it against the command line.

    python examples/spark/check.py [--count 100000]

1. Scores `--count` generated cases with `score_cases.py` (PySpark, local mode, every core) and
   checks that every case has a judgement and none failed.
2. Writes a sample of the same generated cases as JSON Lines, scores it with
   `credence score --format json` and with the Spark job (traces kept), and checks that every
   trace is byte for byte the command line's and that the 100,000-case run's judgements of the
   sample agree with them.
Exits non-zero on any difference; prints the time the big run took.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
from score_cases import generated, templates  # noqa: E402

SAMPLE = 200


def spark(*arguments):
    subprocess.run(
        [sys.executable, str(HERE / "score_cases.py"), "--rules", str(ROOT / "rules"), *arguments],
        check=True,
        env={**os.environ, "PYSPARK_PYTHON": sys.executable, "PYSPARK_DRIVER_PYTHON": sys.executable},
    )


def rows(folder):
    return {row["id"]: row for row in pq.read_table(folder).to_pylist()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--work", default=str(ROOT / "target" / "spark"))
    parser.add_argument("--credence", default=str(ROOT / "target" / "debug" / "credence"))
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    failures = []

    started = time.monotonic()
    spark("--generate", str(args.count), "--output", str(work / "scores"))
    took = time.monotonic() - started
    judged = rows(work / "scores")
    errors = [row for row in judged.values() if row["error"]]
    if len(judged) != args.count:
        failures.append(f"{len(judged)} judgements for {args.count} cases")
    if errors:
        failures.append(f"{len(errors)} cases failed, e.g. {errors[0]['id']}: {errors[0]['error']}")
    print(f"spark: {len(judged)} cases scored in {took:.1f} s ({len(judged) / took:.0f} cases/s, job start included)")

    cases = templates([ROOT / "fixtures", ROOT / "fixtures" / "real"])
    sample = work / "sample.jsonl"
    sample.write_text("".join(generated(cases, n) + "\n" for n in range(SAMPLE)))
    cli = subprocess.run(
        [args.credence, "score", "--format", "json", str(ROOT / "rules"), str(sample)],
        capture_output=True,
        text=True,
    )
    if cli.returncode not in (0, 3):
        failures.append(f"credence score exited {cli.returncode}: {cli.stderr}")
    expected = {json.loads(line)["case"]: line for line in cli.stdout.splitlines()}
    spark("--cases", str(sample), "--traces", "--output", str(work / "sample"))
    traced = rows(work / "sample")
    if set(traced) != set(expected) or len(expected) != SAMPLE:
        failures.append(f"the sample has {len(traced)} ids in Spark, {len(expected)} on the command line")
    for case_id, line in expected.items():
        row = traced.get(case_id)
        if row is None or row["trace"] != line:
            failures.append(f"{case_id}: the Spark trace differs from the command line's")
            continue
        trace = json.loads(line)
        scores = {s["name"]: s["value"] for s in trace["scores"]}
        big = judged.get(case_id, {})
        for name, value in scores.items():
            number = value.get("probability", value.get("points"))
            if big.get(name) != number or row[name] != number:
                failures.append(f"{case_id}: {name} {big.get(name)} / {row[name]}, command line {number}")
        if big.get("verdict") != trace["verdict"]["label"] or big.get("settled") != trace["verdict"]["settled"]:
            failures.append(f"{case_id}: verdict {big.get('verdict')} ({big.get('settled')}), command line {trace['verdict']['label']}")
    print(f"sample: {len(expected)} traces compared with the command line")
    for failure in failures[:20]:
        print("FAIL", failure)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
