#!/usr/bin/env bash
# Measures ingest as BENCHMARKS.md reports it: one run of `spoor bench` over perturbed replicas
# of real seed logs from ../shared/data, printed as a Markdown table.
# Usage: scripts/bench.sh [MB per format, default 100]
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-100}
data=../shared/data
swift build -c release --product spoor 2>&1 | tail -n 1
json=$(.build/release/spoor bench --size "$size" \
  --seed-syslog "$data/loghub2-2k/2k_dataset/OpenSSH/OpenSSH_2k.log" \
  --seed-zeek "$data/rita-test-data/test_data/proxy/conn.log" \
  --output json)
python3 - "$json" <<'PY'
import json, sys
rows = json.loads(sys.argv[1])
print("| format (seed) | MB | events | `cat` MB/cpu-s | `wc -l` MB/cpu-s | parse into columns MB/cpu-s | events/cpu-s | + SQLite write MB/cpu-s | events/cpu-s | wall s (with SQLite) |")
print("|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    seed = r["file"].split("/")[-1]
    print(f"| {r['format']} ({seed}) | {r['bytes']/1e6:.1f} | {r['events']:,} | {r['cat']['megabytesPerCPUSecond']:,.0f} | "
          f"{r['wc']['megabytesPerCPUSecond']:,.0f} | {r['parse']['megabytesPerCPUSecond']:.1f} | {r['parseEventsPerCPUSecond']:,.0f} | "
          f"{r['ingest']['megabytesPerCPUSecond']:.1f} | {r['ingestEventsPerCPUSecond']:,.0f} | {r['ingest']['wallSeconds']:.2f} |")
print()
for r in rows:
    shares = ", ".join(f"`{k}` {v:.3f}" for k, v in sorted(r["distinctShare"].items()))
    print(f"- {r['format']}: distinct values per event: {shares}")
PY
