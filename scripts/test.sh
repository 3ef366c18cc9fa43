#!/usr/bin/env bash
# spoor's test command: installs what the tests need, builds once, runs every test, and ends
# with a plain "N passed, N failed" line. The README's second command; .ci/run calls it.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
phase_start=$(date +%s)
phase() { local now; now=$(date +%s); echo "== phase $1 done in $((now - phase_start)) s"; phase_start=$now; }

# 1. Install: Debian packages (compression and SQLite libraries, Python for the test oracles).
need=()
for pkg in zlib1g-dev libdeflate-dev libbz2-dev liblzma-dev libsqlite3-dev libpsl-dev publicsuffix libmaxminddb-dev python3 python3-venv; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if ((${#need[@]})); then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
# Test oracles from PyPI (never runtime dependencies of spoor): pyarrow and DuckDB read back
# spoor's Parquet files; evtx (the Rust EVTX parser) is the oracle for spoor's EVTX reader;
# pySigma with its SQLite backend and the Sysmon and Windows pipelines for the Sigma engine.
venv="$root/.build-python"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import pyarrow, duckdb, evtx, pyasn, jsonschema, stix2, pymisp, pandas, sklearn, sigma.backends.sqlite, sigma.pipelines.sysmon, sigma.pipelines.windows" 2>/dev/null; then
  python3 -m venv "$venv" >/dev/null && "$venv/bin/pip" install -q pyarrow duckdb evtx pyasn==1.6.2 jsonschema==4.26.0 stix2==3.0.2 pymisp==2.5.34.4 pandas==3.1.1 scikit-learn==1.9.1 \
    pysigma==1.5.1 pysigma-backend-sqlite==2.0.0 pysigma-pipeline-sysmon==2.0.0 pysigma-pipeline-windows==2.0.1 \
    || echo "warning: could not install the Python test oracles; the tests that need them will skip"
fi
export SPOOR_PYTHON="$venv/bin/python"
phase install

# 2. Layering: no target imports one below it in ARCHITECTURE.md's order.
scripts/check-layering.sh || exit 1

# 3. Build once, then test without rebuilding.
swift build --build-tests 2>&1 | tail -n 3
[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "0 passed, 1 failed"; exit 1; }
phase build

out="$root/.build/test-results"
mkdir -p "$out"
rm -f "$out"/*.xml
swift test --skip-build --parallel --num-workers 2 --xunit-output "$out/results.xml" 2>&1 | tee "$out/log.txt" | grep -E '✘|error:|Fatal|Test run|Executed' | tail -n 200
status=${PIPESTATUS[0]}
phase tests

# 4. Fuzzing: every libFuzzer target (Fuzz/) for 60 s from its committed corpus, with a fixed
# seed so a run is repeatable: a regression gate for the parsers, EVTX, regex and Sigma. (The
# long exploratory runs, 10 minutes and more per target, are recorded in BENCHMARKS.md.)
# SPOOR_SKIP_FUZZ=1 skips it.
rm -f "$out/fuzz.txt"
if [ "${SPOOR_SKIP_FUZZ:-0}" != 1 ]; then
  FUZZ_SEED=1 scripts/fuzz.sh "${SPOOR_FUZZ_SECONDS:-60}" > "$out/fuzz.txt" 2>&1 || status=1
  grep -E "^fuzz |found a problem|ERROR" "$out/fuzz.txt" | head -n 20
fi
phase fuzz

# 5. The plain closing line, from the XML reports of both test libraries and the fuzz runs.
python3 - "$out" "$status" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
passed = failed = skipped = 0
for path in glob.glob(sys.argv[1] + "/*.xml"):
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError:
        continue
    for case in root.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
try:
    for line in open(sys.argv[1] + "/fuzz.txt"):
        if line.startswith("fuzz ") and line.rstrip().endswith(": passed"):
            passed += 1
        elif line.startswith("fuzz ") and line.rstrip().endswith(": failed"):
            failed += 1
except OSError:
    pass
if int(sys.argv[2]) != 0 and failed == 0:
    failed = 1   # the runner failed (a crash or a build problem) without a failing case in the report
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
exit "$status"
