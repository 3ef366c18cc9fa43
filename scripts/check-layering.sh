#!/usr/bin/env bash
# Fails when a target imports a Spoor target that comes after it in the one-way order of
# ARCHITECTURE.md §3 (a target may import only targets above it).
set -euo pipefail
cd "$(dirname "$0")/.."
order=(SpoorCore SpoorEvents SpoorTemplates SpoorEVTX SpoorLearn SpoorParsers SpoorIngest SpoorIndicators
       SpoorIntel SpoorGraph SpoorRules SpoorDetectors SpoorSimulation SpoorLabels SpoorEvaluation SpoorStore
       SpoorClickHouse SpoorReports Spoor SpoorServer SpoorCLI)
declare -A rank
for i in "${!order[@]}"; do rank[${order[$i]}]=$i; done
status=0
for dir in Sources/*/; do
  target=$(basename "$dir")
  [[ -n "${rank[$target]+x}" ]] || continue
  mine=${rank[$target]}
  while IFS=: read -r file _ line; do
    imported=$(sed -E 's/^[[:space:]]*(@testable[[:space:]]+)?import[[:space:]]+([A-Za-z0-9_]+).*/\2/' <<<"$line")
    [[ -n "${rank[$imported]+x}" ]] || continue
    if (( ${rank[$imported]} >= mine )); then
      echo "layering: $file: $target (#$((mine+1))) imports $imported (#$((${rank[$imported]}+1)))"
      status=1
    fi
  done < <(grep -rnE '^[[:space:]]*(@testable[[:space:]]+)?import[[:space:]]+Spoor' "$dir" --include='*.swift' || true)
done
(( status == 0 )) && echo "layering: ok"
exit $status
