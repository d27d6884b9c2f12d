#!/usr/bin/env bash
# End-to-end demo against the LifeTime simulator: `make demo` runs it with the
# built collection installed in .tmp/collections.
#
# It lists the environments, promotes EmployeeBackoffice from Development to
# Production with playbooks/promote.yml (first --check, then for real, with the
# deployment log streaming), rolls it back with playbooks/rollback.yml, and
# shows what runs in Production after each step.
#
# Each step is one `step "title" command...` line in main(); add steps there.
# The simulator is always stopped on exit, and any failing step fails the demo.
# DEMO_STEP_SECONDS (default 1) is how long each deployment phase takes in the
# simulator, so the deployment log visibly arrives while the playbook waits.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO_ROOT"

PYTHON=${PYTHON:-python3}
DEMO_STEP_SECONDS=${DEMO_STEP_SECONDS:-1}
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
        --step-seconds "$DEMO_STEP_SECONDS" >"$SIMULATOR_LOG" 2>&1 &
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
# (default Production), read back with lifetime_application_info. With an
# application and a version, fail unless that application runs that version.
show_running() {
    local environment=${1:-Production} application=${2:-} expected=${3:-} output
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

application, expected = sys.argv[1], sys.argv[2]
running = {}
for app in json.load(sys.stdin)["applications"]:
    for status in app.get("environments") or []:
        running[app["name"]] = status.get("version")
        print("%-40s %s" % (app["name"], status.get("version") or "-"))
if application and running.get(application) != expected:
    sys.exit("demo: expected %s %s, found %s" % (application, expected, running.get(application)))
' "$application" "$expected"
}

# The environments in LifeTime's order, one line each.
list_environments() {
    local output
    output=$(ansible localhost -m outsystems.lifetime.lifetime_environment_info) || {
        printf '%s\n' "$output" >&2
        return 1
    }
    printf '%s\n' "${output#*=> }" | "$PYTHON" -c '
import json
import sys

for env in json.load(sys.stdin)["environments"]:
    print("%d  %-20s %-12s %s" % (env["order"], env["name"], env.get("environment_type") or "-", env["key"]))
'
}

main() {
    local promote=(-e source_environment=Development -e target_environment=Production
        -e applications=EmployeeBackoffice -e '{"notes": "Promoted by make demo"}')
    local rollback=(-e target_environment=Production -e applications=EmployeeBackoffice)

    start_simulator

    step "List the LifeTime environments (outsystems.lifetime.lifetime_environment_info)" \
        list_environments
    show_running Production EmployeeBackoffice 1.2

    step "Promote EmployeeBackoffice from Development to Production in check mode: the plan, no change" \
        ansible-playbook playbooks/promote.yml --check --diff "${promote[@]}"
    show_running Production EmployeeBackoffice 1.2

    step "Promote EmployeeBackoffice from Development to Production" \
        ansible-playbook playbooks/promote.yml "${promote[@]}"
    show_running Production EmployeeBackoffice 1.3

    step "Promote again: nothing to do (changed=0, no plan)" \
        ansible-playbook playbooks/promote.yml "${promote[@]}"

    step "Roll EmployeeBackoffice in Production back to the version that ran before" \
        ansible-playbook playbooks/rollback.yml "${rollback[@]}"
    show_running Production EmployeeBackoffice 1.2

    printf '\ndemo: all steps passed\n'
}

main "$@"
