#!/bin/bash
# daemon-up.sh COMMAND...: start a foreground `coinguard run` (e.g. `./setup run`), wait until the
# milter port answers and the metrics show loaded rules, print them, stop it; exit 0 only if it came
# up.  Used by check-fresh.sh inside the chroot; python3 exists once the set-up has installed it.
set -uo pipefail
MILTER_PORT="${MILTER_PORT:-8896}" METRICS="${METRICS:-127.0.0.1:9810}" WAIT_S="${WAIT_S:-1800}"
set -m  # the command gets its own process group, so make, pip and the daemon stop together
"$@" &
pid=$!
up=""
for _ in $(seq 1 "$WAIT_S"); do
    if command -v python3 >/dev/null && python3 - "$MILTER_PORT" "$METRICS" 2>/dev/null <<'PY'
import socket, sys, urllib.request
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()
direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never a proxy
text = direct.open(f"http://{sys.argv[2]}/metrics", timeout=2).read().decode()
loaded = [line for line in text.splitlines() if line.startswith("coinguard_rules_loaded ")]
if not loaded or float(loaded[0].split()[1]) <= 0:
    sys.exit(1)
print(f"milter inet:{sys.argv[1]}@127.0.0.1 answers; metrics {sys.argv[2]}: {loaded[0]}")
PY
    then up=1; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
done
kill -TERM -- "-$pid" 2>/dev/null
wait "$pid"
echo "daemon exit status after SIGTERM: $?"
[ -n "$up" ] && echo "daemon came up" && exit 0
echo "daemon did NOT come up"
exit 1
