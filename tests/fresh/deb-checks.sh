#!/bin/bash
# deb-checks.sh [LURE.eml]: run inside the clean chroot after `apt-get install ./coinguard_*.deb`
# (check-fresh.sh FRESH_PLAN=deb).  Every check prints what it saw; the first failure stops it.
set -euo pipefail
say() { printf '\n--- %s\n' "$*"; }

say "coinguard --version"
coinguard --version
say "postinst created the system user and the state directory"
getent passwd coinguard
stat -c '%U:%G %a %n' /var/lib/coinguard /var/lib/coinguard/quarantine /var/lib/coinguard/cache
say "the service is installed but neither enabled nor running"
for unit in coinguard.service coinguard-purge.timer; do
    state="$(systemctl is-enabled "$unit" 2>&1 || true)"
    echo "$unit: $state"
    [ "$state" = disabled ]
done
if pgrep -f "coinguard(-milter)? run|coinguard-milter" >/dev/null; then echo "a coinguard daemon is running" >&2; exit 1; fi
echo "no coinguard process"
say "coinguard -v config check (no -c: /etc/coinguard/coinguard.toml, the conffile)"
coinguard -v config check > /tmp/config-check.out
head -n 1 /tmp/config-check.out
grep -E '^(pid_file|path|cache_dir) =' /tmp/config-check.out
dpkg-query -W -f='${Conffiles}\n' coinguard | grep -q ' */etc/coinguard/coinguard.toml ' && echo "conffile: /etc/coinguard/coinguard.toml"
say "coinguard rules check (the rules shipped in the package's venv)"
coinguard rules check | tail -n 1
say "systemd-analyze verify"
systemd-analyze verify /lib/systemd/system/coinguard.service /lib/systemd/system/coinguard-purge.service \
    /lib/systemd/system/coinguard-purge.timer
echo "systemd-analyze verify: clean"
say "man page and bash completion"
ls -l /usr/share/man/man8/coinguard.8.gz /usr/share/bash-completion/completions/coinguard
zcat /usr/share/man/man8/coinguard.8.gz | head -n 1
if [ -n "${1:-}" ]; then
    say "coinguard scan --json of a crypto lure with a script dropper (DNS to a closed loopback port)"
    printf '[dkim]\nnameservers = ["127.0.0.1"]\ndns_port = 9\ndns_timeout_s = 0.5\n' > /tmp/offline.toml
    rc=0
    coinguard scan --json -c /tmp/offline.toml "$1" > /tmp/scan.json || rc=$?
    python3 -c 'import json; v = json.load(open("/tmp/scan.json")); print(v["verdict"], v["action"], sorted({f["code"] for f in v["findings"] if f["code"].startswith("crypto.")}))'
    [ "$rc" = 1 ] && grep -q '"verdict": "malicious"' /tmp/scan.json && grep -q '"action": "quarantine"' /tmp/scan.json
fi
say "all deb checks passed"
