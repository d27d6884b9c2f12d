#!/usr/bin/env bash
# End-to-end demo against the LifeTime simulator: `make demo` runs it with the
# built collection installed in .tmp/collections.
#
# Each step is one `step "title" command...` line in main(); add steps there.
# The simulator is always stopped on exit, and any failing step fails the demo.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO_ROOT"

PYTHON=${PYTHON:-python3}
export ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-$REPO_ROOT/.tmp/collections}
export LIFETIME_TOKEN=${LIFETIME_TOKEN:-demo-token}
# Only the implicit localhost is used; say nothing about the missing inventory.
export ANSIBLE_LOCALHOST_WARNING=false
export ANSIBLE_INVENTORY_UNPARSED_WARNING=false
export ANSIBLE_NOCOLOR=true

WORK_DIR=$(mktemp -d)
SIMULATOR_LOG=$WORK_DIR/simulator.log
SIMULATOR_PID=

stop_simulator() {
    if [[ -n $SIMULATOR_PID ]] && kill -0 "$SIMULATOR_PID" 2>/dev/null; then
        kill "$SIMULATOR_PID" 2>/dev/null || true
        wait "$SIMULATOR_PID" 2>/dev/null || true
    fi
    SIMULATOR_PID=
    rm -rf "$WORK_DIR"
}
trap stop_simulator EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Start the simulator on a free port and export LIFETIME_URL once it answers.
start_simulator() {
    PYTHONUNBUFFERED=1 "$PYTHON" -m tests.simulator --port 0 --token "$LIFETIME_TOKEN" \
        >"$SIMULATOR_LOG" 2>&1 &
    SIMULATOR_PID=$!

    local url="" _
    for _ in $(seq 1 100); do
        url=$(sed -n '1s/^LifeTime simulator listening on \([^[:space:]]*\).*$/\1/p' "$SIMULATOR_LOG")
        [[ -n $url ]] && break
        if ! kill -0 "$SIMULATOR_PID" 2>/dev/null; then
            echo "demo: the simulator exited before it was ready:" >&2
            cat "$SIMULATOR_LOG" >&2
            return 1
        fi
        sleep 0.1
    done
    if [[ -z $url ]]; then
        echo "demo: the simulator did not print its URL within 10 seconds:" >&2
        cat "$SIMULATOR_LOG" >&2
        return 1
    fi

    # Any HTTP answer, even 401 or 404, means the server accepts requests.
    "$PYTHON" - "$url" <<'PY'
import sys
import time
import urllib.error
import urllib.request

deadline = time.monotonic() + 10
while True:
    try:
        urllib.request.urlopen(sys.argv[1], timeout=2).close()
        break
    except urllib.error.HTTPError:
        break
    except OSError:
        if time.monotonic() > deadline:
            raise
        time.sleep(0.1)
PY
    export LIFETIME_URL=$url
    echo "demo: simulator running at $LIFETIME_URL (pid $SIMULATOR_PID)"
}

step() {
    local title=$1
    shift
    printf '\n=== %s\n' "$title"
    printf '$ %s\n' "$*"
    "$@"
}

# Print "application  version" for everything running in one environment
# (default Production), read back with lifetime_application_info.
show_running() {
    local environment=${1:-Production} output
    printf '\n--- running in %s\n' "$environment"
    output=$(ansible localhost -m outsystems.lifetime.lifetime_application_info \
        -a "environment=$environment") || {
        printf '%s\n' "$output" >&2
        return 1
    }
    # Ad-hoc output is "localhost | SUCCESS => {json}".
    printf '%s\n' "${output#*=> }" | "$PYTHON" -c '
import json
import sys

for app in json.load(sys.stdin)["applications"]:
    for status in app.get("environments") or []:
        print("%-40s %s" % (app["name"], status.get("version") or "-"))
'
}

main() {
    start_simulator

    step "List the LifeTime environments" \
        ansible localhost -m outsystems.lifetime.lifetime_environment_info
    show_running Production

    printf '\ndemo: all steps passed\n'
}

main "$@"
