#!/usr/bin/env bash
# Seeds the fuzzing corpora from the repository's own rules, tests and fixtures.
# Run from the repository root: fuzz/seed.sh
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p fuzz/corpus/{rules,case,format,fixture,timeline,lsp}
for f in rules/*.cred benches/*.cred tests/diagnostics/*.cred tests/diagnostics/*/*.cred; do
  cp "$f" "fuzz/corpus/rules/$(echo "$f" | tr / _)"
  cp "$f" "fuzz/corpus/format/$(echo "$f" | tr / _)"
  cp "$f" "fuzz/corpus/lsp/$(echo "$f" | tr / _)"
done
for f in fixtures/cases/*.json fixtures/real/*.json tests/data/fixtures/cases/*.json; do
  cp "$f" "fuzz/corpus/case/$(echo "$f" | tr / _)"
  cp "$f" "fuzz/corpus/timeline/$(echo "$f" | tr / _)"
done
for f in fixtures/*.json tests/data/fixtures/*.json; do
  cp "$f" "fuzz/corpus/fixture/$(echo "$f" | tr / _)"
done
echo "seeded: $(ls fuzz/corpus/rules | wc -l) rules, $(ls fuzz/corpus/case | wc -l) cases, $(ls fuzz/corpus/fixture | wc -l) fixtures"
# Inline cases of fixtures are cases too.
python3 - <<'PY'
import json, pathlib
for f in sorted(pathlib.Path("fixtures").glob("*.json")):
    case = json.loads(f.read_text()).get("case")
    if isinstance(case, dict):
        pathlib.Path(f"fuzz/corpus/case/inline_{f.name}").write_text(json.dumps(case))
PY
echo "with inline cases: $(ls fuzz/corpus/case | wc -l) cases"
