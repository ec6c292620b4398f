#!/usr/bin/env bash
# Head-to-head benchmark: Vigil vs a PostgreSQL join vs Prometheus gauges, on loopback.
#
# Usage: Benchmarks/compare/run.sh [--sizes 10000,100000,1000000,10000000] [--budget-minutes 90]
#                                  [--prometheus-max 1000000] [--stream 20000] [--max-seconds 30]
#   OUT=DIR        where benchmarks.md, img/compare-latency.png and compare-results.json go (default docs)
#   VIGIL_BIN=PATH the vigil executable to measure (default: a release build, made here if missing)
#
# Installs what is missing: Debian's postgresql and prometheus, and numpy, requests, psycopg and matplotlib
# from PyPI. Exits non-zero if any answer differs from the truth or a system fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi

missing=()
for pkg in postgresql prometheus; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "compare: installing ${missing[*]}" >&2
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! python3 -c 'import numpy, requests, psycopg, matplotlib' 2>/dev/null; then
    echo "compare: installing numpy, requests, psycopg and matplotlib" >&2
    python3 -m pip install --quiet numpy requests "psycopg[binary]" matplotlib 2>/dev/null \
        || python3 -m pip install --quiet --break-system-packages numpy requests "psycopg[binary]" matplotlib
fi

if [ -z "${VIGIL_BIN:-}" ]; then
    echo "compare: building vigil (release; the first time takes ~10 min)…" >&2
    swift build -c release --product vigil 2>&1 | tail -1
    VIGIL_BIN="$root/.build/release/vigil"
fi
out=${OUT:-$root/docs}
mkdir -p "$out"
results="$out/compare-results.json"

status=0
(cd Benchmarks/compare && python3 compare.py --vigil-bin "$VIGIL_BIN" --results "$results" "$@") || status=$?
if [ -f "$results" ]; then
    (cd Benchmarks/compare && python3 report.py "$results" "$out")
fi
exit "$status"
