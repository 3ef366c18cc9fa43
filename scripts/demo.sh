#!/usr/bin/env bash
# The README's first command: installs what spoor needs, builds it, and runs the main job
# (`spoor analyze`) on the built-in demo. Extra arguments go to `spoor analyze`.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
for pkg in zlib1g-dev libdeflate-dev libbz2-dev liblzma-dev libsqlite3-dev libpsl-dev publicsuffix libmaxminddb-dev; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if ((${#need[@]})); then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
swift build -c release --product spoor 2>&1 | tail -n 1
case_dir=$(mktemp -d -t spoor-demo-case-XXXXXX)
echo "case: $case_dir"
exec .build/release/spoor analyze --case "$case_dir" "$@"
