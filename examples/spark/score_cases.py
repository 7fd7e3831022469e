"""Scores claim cases with Credence on Spark: one row per case in, one judgement per case out.

    spark-submit examples/spark/score_cases.py --rules rules --cases cases.jsonl --output scores/
    spark-submit examples/spark/score_cases.py --rules rules --generate 100000 --output scores/

The rules are compiled once on the driver and shipped to the workers by pickling (a `Rules`
pickles as its text and content hash, and each worker recompiles it once and checks the hash).
Each worker scores its Arrow record batches with `Rules.score_arrow`, without the GIL; Spark
already runs one task per core, so each task scores on one thread. The judgements (id, verdict,
settled, one column per score, error) are written as Parquet; `--traces` adds each case's JSON
trace (about 50 KB a case).

`--generate N` makes N cases from the shipped ones (each with its own id, `<case>~<n>`), so the
job can be measured without a data set; `--cases` reads JSON Lines, one case per line.
"""

import argparse
import json
from pathlib import Path

import pyarrow as pa
from pyspark.sql import SparkSession
from pyspark.sql.types import (
    BooleanType,
    DoubleType,
    StringType,
    StructField,
    StructType,
)

import credence

ROOT = Path(__file__).resolve().parents[2]


def templates(folders):
    """The shipped cases, each as a dict, in a stable order."""
    paths = sorted(p for folder in folders for p in Path(folder).glob("*.json"))
    return [json.loads(p.read_text()) for p in paths]


def generated(cases, n):
    """Case number `n` made from the templates: a copy with its own id."""
    case = dict(cases[n % len(cases)])
    case["id"] = f"{case.get('id', 'case')}~{n}"
    return json.dumps(case)


def output_schema(rules, traces):
    """The Spark schema of `score_arrow`'s result, from the rules' scores."""
    fields = [
        StructField("id", StringType()),
        StructField("verdict", StringType()),
        StructField("settled", BooleanType()),
    ]
    fields += [StructField(name, DoubleType()) for name in rules.score_names]
    if traces:
        fields.append(StructField("trace", StringType()))
    fields.append(StructField("error", StringType()))
    return StructType(fields)


def scorer(rules, column, traces, cases=None):
    """The function `mapInArrow` runs on each partition: Arrow batches of cases in, of
    judgements out. With `cases` (templates), the input is row numbers to make cases from."""

    def score(batches):
        for batch in batches:
            if cases is not None:
                numbers = batch.column(column).to_pylist()
                batch = pa.record_batch({column: pa.array([generated(cases, n) for n in numbers])})
            yield rules.score_arrow(batch, column=column, threads=1, trace=traces)

    return score


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rules", default=str(ROOT / "rules"))
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--cases", help="JSON Lines, one case per line")
    source.add_argument("--generate", type=int, help="make this many cases from the shipped ones")
    parser.add_argument("--templates", nargs="*", default=[str(ROOT / "fixtures"), str(ROOT / "fixtures" / "real")])
    parser.add_argument("--output", required=True, help="a Parquet directory")
    parser.add_argument("--traces", action="store_true", help="keep each case's JSON trace")
    parser.add_argument("--partitions", type=int, default=None)
    args = parser.parse_args()

    spark = SparkSession.builder.appName("credence-score").getOrCreate()
    rules = credence.compile(args.rules)
    if args.generate is not None:
        cases = templates(args.templates)
        frame = spark.range(0, args.generate, numPartitions=args.partitions).withColumnRenamed("id", "n")
        score = scorer(rules, "n", args.traces, cases)
    else:
        frame = spark.read.text(args.cases)
        if args.partitions:
            frame = frame.repartition(args.partitions)
        score = scorer(rules, "value", args.traces)
    judged = frame.mapInArrow(score, output_schema(rules, args.traces))
    judged.write.mode("overwrite").parquet(args.output)
    spark.stop()


if __name__ == "__main__":
    main()
