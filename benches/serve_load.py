#!/usr/bin/env python3
"""Load test of `credence serve`: N concurrent clients post one case each, again and again, for
a fixed time; prints throughput and latency percentiles, fails on any error, and checks that
the decision log holds every decision exactly once. Then times the one-case command line for
comparison. Standard library only.

    cargo build --release
    python3 benches/serve_load.py target/release/credence --clients 8 --seconds 20

docs/PERFORMANCE.md records the figures and the command that produced them.
"""

import argparse
import http.client
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def start(binary, db, concurrency):
    server = subprocess.Popen(
        [binary, "serve", "--listen", "127.0.0.1:0", "--log-db", db,
         "--concurrency", str(concurrency), os.path.join(ROOT, "rules")],
        stderr=subprocess.PIPE, text=True)
    first = server.stderr.readline()
    port = int(first.rsplit(":", 1)[1])
    threading.Thread(target=server.stderr.read, daemon=True).start()
    return server, port


def client(port, body, until, latencies, errors):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while time.monotonic() < until:
        started = time.perf_counter()
        connection.request("POST", "/v1/score", body, {"Content-Type": "application/json"})
        answer = connection.getresponse()
        answer.read()
        latencies.append(time.perf_counter() - started)
        if answer.status != 200:
            errors.append(answer.status)


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--case", default=os.path.join(ROOT, "fixtures/real/paris-2015.json"))
    args = parser.parse_args()
    body = open(args.case, "rb").read()
    with tempfile.TemporaryDirectory() as scratch:
        db = os.path.join(scratch, "decisions.db")
        server, port = start(args.binary, db, max(2, os.cpu_count() or 2))
        try:
            latencies, errors = [], []
            until = time.monotonic() + args.seconds
            threads = [threading.Thread(target=client, args=(port, body, until, latencies, errors))
                       for _ in range(args.clients)]
            began = time.monotonic()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            took = time.monotonic() - began
        finally:
            server.terminate()
            server.wait()
        logged = sqlite3.connect(db).execute("SELECT count(*) FROM decisions").fetchone()[0]
    print(f"{args.clients} clients for {args.seconds:g} s: {len(latencies)} requests, "
          f"{len(latencies) / took:.0f} per second")
    print(f"latency p50 {percentile(latencies, 50) * 1000:.2f} ms, "
          f"p99 {percentile(latencies, 99) * 1000:.2f} ms, max {max(latencies) * 1000:.2f} ms")
    print(f"errors: {len(errors)}; decisions logged: {logged} (of {len(latencies) - len(errors)})")
    # The one-case command line, for comparison: process start, compilation and scoring.
    runs = []
    for _ in range(20):
        started = time.perf_counter()
        subprocess.run([args.binary, "score", "--format", "json", os.path.join(ROOT, "rules"),
                        args.case], stdout=subprocess.DEVNULL, check=True)
        runs.append(time.perf_counter() - started)
    print(f"one case on the command line: median {statistics.median(runs) * 1000:.1f} ms")
    if errors or logged != len(latencies) - len(errors):
        sys.exit(1)


if __name__ == "__main__":
    main()
