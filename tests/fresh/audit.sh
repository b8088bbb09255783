#!/bin/bash
# audit.sh CLONE: after `./setup run` and `./setup test` (check-fresh.sh), what they left behind:
# test packages without their Recommends, no service of theirs enabled, no policy-rc.d left over,
# and a production venv without the test tools.
set -uo pipefail
clone="$1" bad=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAILED: $1"; bad=1; fi; }
check "prometheus installed (promtool)" "command -v promtool >/dev/null"
check "no prometheus-node-exporter (a Recommends)" "! dpkg-query -W -f='\${Status}' prometheus-node-exporter 2>/dev/null | grep -q 'ok installed'"
check "prometheus.service disabled" "[ \"\$(systemctl is-enabled prometheus.service 2>&1)\" = disabled ]"
check "no /usr/sbin/policy-rc.d left" "[ ! -e /usr/sbin/policy-rc.d ]"
check "procps (/bin/kill for ExecReload)" "[ -x /bin/kill ]"
check "production venv has no pytest/ruff/mypy" "! $clone/.venv/bin/python -c 'import pytest' 2>/dev/null && [ ! -e $clone/.venv/bin/ruff ] && [ ! -e $clone/.venv/bin/mypy ]"
check "test venv has them" "$clone/.venv-test/bin/python -c 'import pytest, mypy' && [ -x $clone/.venv-test/bin/ruff ]"
exit $bad
