#!/usr/bin/env bash
# Builds spoor's libFuzzer targets (Fuzz/, with -sanitize=fuzzer,address) and runs each for
# SECONDS (default 60) over a working copy of its committed corpus. Exits 1 on a crash, leak,
# timeout or out-of-memory, leaving the input that caused it in Fuzz/artifacts/.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}; shift || true
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(FuzzParsers FuzzEVTX FuzzRegex FuzzSigma FuzzIndicators)
root=$(pwd)
# A clean build: incremental sanitizer builds have linked stale object layouts here.
# (FUZZ_SKIP_BUILD=1 reuses the last build, for several runs in parallel.)
if [ "${FUZZ_SKIP_BUILD:-0}" != 1 ]; then
  rm -rf "$root/.build-fuzz/x86_64-unknown-linux-gnu/release" "$root/.build-fuzz/release"
  (cd Fuzz && swift build --scratch-path "$root/.build-fuzz" -c release -Xswiftc -sanitize=fuzzer,address \
    -Xswiftc -parse-as-library 2>&1 | tail -n 1) || exit 1
fi
# FUZZ_SEED=N makes a run repeatable (CI); without it libFuzzer picks a seed.
seed_arg=(); [ -n "${FUZZ_SEED:-}" ] && seed_arg=(-seed="$FUZZ_SEED")
mkdir -p Fuzz/artifacts
status=0
for t in "${targets[@]}"; do
  corpus_name=$(echo "${t#Fuzz}" | tr '[:upper:]' '[:lower:]')
  work=$(mktemp -d)
  cp Fuzz/Corpus/"$corpus_name"/* "$work"/ 2>/dev/null || true
  # EVTX inputs are whole files: a header and at least one 64 KiB chunk.
  max_len=8192; [ "$t" = FuzzEVTX ] && max_len=135168
  echo "== fuzzing $t for $seconds s"
  if ! "$root/.build-fuzz/release/$t" "${seed_arg[@]}" -max_total_time="$seconds" -max_len="$max_len" -rss_limit_mb=2048 -timeout=10 \
       -artifact_prefix="$root/Fuzz/artifacts/" -print_final_stats=1 "$work" > "Fuzz/artifacts/$t.log" 2>&1; then
    echo "$t found a problem:"; grep -E "ERROR|SUMMARY|Test unit written" "Fuzz/artifacts/$t.log" | head -5
    echo "fuzz $t: failed"
    status=1
  else
    grep -E "stat::number_of_executed_units|cov:" "Fuzz/artifacts/$t.log" | tail -n 2
    echo "fuzz $t: passed"
  fi
  rm -rf "$work"
done
exit $status
