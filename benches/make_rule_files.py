#!/usr/bin/env python3
"""Writes the rule files `check` is timed on (docs/PERFORMANCE.md, "Growth") into a directory:

  defs-N.cred   N definitions, each reading its own case path, none used (N = 1,000, 10,000,
                100,000): N lines and N "never used" warnings, the worst case for reporting.
  pack-10k.cred a rule file shaped like the shipped pack, 10,015 lines: 2,000 definitions
                (timings and replication counts) and one score of 1,000 criteria, each with an
                `about`, a refined row, a fallback, `else` and `unknown`; it checks clean.

Usage: benches/make_rule_files.py DIR
"""
import pathlib
import sys


def definitions(n):
    lines = ['ruleset big { version "1" }']
    lines += [f"let d{k} = claim.f{k % 50} + {k}" for k in range(n - 2)]
    lines.append(
        'score s { additive criterion c { when d1 >= 1 => 1 "x" else => 0 "y" } '
        'bands { >= 1 => "a" else => "b" } }'
    )
    return lines


def pack(criteria):
    lines = ['ruleset big { version "1" }', ""]
    for k in range(criteria):
        lines.append(f"let fast{k} = claim.published_at - incident.started_at <= {k % 24 + 1}h")
        lines.append(
            f"let echoes{k} = count(p in posts where p.account != claim.account "
            "and p.at >= claim.published_at)"
        )
    lines += ["", 'score credibility "How likely the claim is genuine" {', "  evidence prior 50%"]
    for k in range(criteria):
        lines += [
            f'  criterion c{k} "Criterion {k}" {{',
            f'    about "Why criterion {k} matters, with its source."',
            f'    when fast{k} => lr 1.5 "claimed within hours"',
            f'      refine when echoes{k} >= {k % 5 + 1} => lr 2 "and echoed {{echoes{k}}} times"',
            f'    when not fast{k} => lr 0.8 "claimed late"',
            '    else => lr 1 "no sign either way"',
            '    unknown => skip "the times are not recorded"',
            "  }",
        ]
    lines += ["  bands {", '    >= 80% => "likely"', '    else => "unlikely"', "  }", "}", ""]
    lines += ["verdict {", '  when credibility.band == "likely" => "credible"',
              '  else => "not established"', "}"]
    return lines


def main():
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for n in (1_000, 10_000, 100_000):
        (out / f"defs-{n}.cred").write_text("\n".join(definitions(n)) + "\n")
    (out / "pack-10k.cred").write_text("\n".join(pack(1_000)) + "\n")


if __name__ == "__main__":
    main()
