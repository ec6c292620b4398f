#!/usr/bin/env bash
# Runs the car-loan walkthrough end to end: installs its Python packages if missing, starts a
# `vigil serve` on a free loopback port (fresh SQLite directory, alert loop every 2 s, a webhook to
# the walkthrough's receiver), runs walkthrough.py, checks its numbers with check.py, stops the server.
#
# Usage: examples/car_loan/run.sh [OUT_DIR]      (default ./car-loan-out)
#   VIGIL_BIN=path/to/vigil to use a given binary (default: the newer of .build/release/vigil and
#   .build/debug/vigil; with neither, a release build is made first, ~10 minutes).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$(mkdir -p "${1:-car-loan-out}" && cd "${1:-car-loan-out}" && pwd)"

pip_install() {
    python3 -m pip install --quiet "$@" 2>/dev/null || python3 -m pip install --quiet --break-system-packages "$@"
}
if ! python3 -c 'import vigil, sklearn, scipy, pandas' 2>/dev/null; then
    echo "run.sh: installing the example's Python packages" >&2
    (cd "$here" && pip_install -r requirements.txt)
fi
if ! python3 -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec("nannyml") is None)'; then
    echo "run.sh: installing nannyml's datasets (nannyml==0.13.1 --no-deps)" >&2
    pip_install --no-deps nannyml==0.13.1
fi

vigil="${VIGIL_BIN:-}"
if [ -z "$vigil" ]; then
    # The most recently built of the release and debug binaries.
    vigil="$(ls -t "$root/.build/release/vigil" "$root/.build/debug/vigil" 2>/dev/null | head -1 || true)"
fi
if [ -z "$vigil" ]; then
    echo "run.sh: building vigil (release)" >&2
    (cd "$root" && swift build -c release --product vigil)
    vigil="$root/.build/release/vigil"
fi

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port="$(free_port)"
hook="$(free_port)"
data="$(mktemp -d)"
"$vigil" serve --port "$port" --data "$data" --alert-interval 2s \
    --webhook-url "http://127.0.0.1:$hook/vigil" > "$out/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    kill -0 "$server" 2>/dev/null || { cat "$out/server.log" >&2; exit 1; }
    sleep 0.1
done

python3 "$here/walkthrough.py" --url "http://127.0.0.1:$port" --out "$out" --webhook-port "$hook"
python3 "$here/check.py" "$out"
