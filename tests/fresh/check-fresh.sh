#!/bin/bash
# Proves the README's set-up on a bare Debian 12: `make check-fresh` (root, ~15-25 minutes).
#
#   1. debootstrap --variant=minbase bookworm into a temp dir, from the host's configured mirror;
#   2. inside private network (loopback only), mount and PID namespaces, chroot:
#      apt-get install git, git clone this repository (its committed HEAD), then run the README's
#      two set-up commands exactly as written, as root, in the clone:
#        ./setup run    must bring the daemon up (milter socket answers, metrics show the rules);
#        ./setup test   must pass the whole suite;
#   3. print a summary (step, seconds, result) and exit non-zero if any step failed.
#
# The only way out of the namespace is tests/fresh/registry_proxy.py: apt and pip reach the
# Debian mirror and PyPI through it (http_proxy/https_proxy), nothing else is reachable.
# The host's CA bundle is handed to pip (PIP_CERT) because some networks re-sign TLS; on a
# plain network Debian's own ca-certificates, which ./setup installs, would do.
#
# FRESH_PLAN=deb FRESH_DEB=FILE [FRESH_LURE=MSG] (make check-deb) instead installs that .deb into the
# clean system (apt-get resolves its Depends) and runs tests/fresh/deb-checks.sh there.
#
# Environment: FRESH_DIR (work dir, default a new /var/tmp/coinguard-fresh.XXXXXX, removed at the
# end unless FRESH_KEEP=1), FRESH_REF (what to clone, default HEAD), FRESH_MIRROR (default: the
# host's apt mirror), FRESH_STEPS (default "run test").
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(git -C "$HERE" rev-parse --show-toplevel)"
SUITE=bookworm
REGISTRIES="deb.debian.org security.debian.org pypi.org files.pythonhosted.org"
HOST_PYTHON=/usr/bin/python3

if [ "${1:-}" = "--inside" ]; then
    # ---- runs inside `unshare --net --mount`: the private namespaces ----
    ROOT="$2" SOCK="$3" LOG="$4"
    ip link set lo up
    mount -t proc proc "$ROOT/proc"
    mount -t sysfs sysfs "$ROOT/sys"
    mount --rbind /dev "$ROOT/dev"
    mkdir -p "$ROOT/src.git"
    mount --bind -o ro "$ROOT/../src.git" "$ROOT/src.git"
    "$HOST_PYTHON" "$HERE/registry_proxy.py" relay "$SOCK" 3128 &
    relay=$!
    trap 'kill $relay 2>/dev/null || true' EXIT
    in_root() {  # a clean root login environment, the proxy, and nothing else of the host's
        chroot "$ROOT" /usr/bin/env -i HOME=/root USER=root LOGNAME=root TERM=dumb LANG=C.UTF-8 \
            PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
            http_proxy=http://127.0.0.1:3128 https_proxy=http://127.0.0.1:3128 \
            no_proxy=localhost,127.0.0.1,::1 NO_PROXY=localhost,127.0.0.1,::1 \
            PIP_CERT=/root/.host-ca.crt DEBIAN_FRONTEND=noninteractive \
            /bin/bash -c "$1"
    }
    step() {  # step NAME COMMAND: run, time, record
        local name="$1" start rc
        start=$(date +%s)
        echo "=== $name: $2" | tee -a "$LOG.steps"
        set +e
        in_root "$2" > "$LOG.$name" 2>&1
        rc=$?
        set -e
        echo "$name $(( $(date +%s) - start )) $rc" >> "$LOG.summary"
        tail -n 15 "$LOG.$name" | sed "s/^/    [$name] /"
        return $rc
    }
    if [ "${FRESH_PLAN:-readme}" = deb ]; then  # the Debian package in a clean system
        step deb-install "apt-get update -q && apt-get install -y -q --no-install-recommends systemd \
            /root/$(basename "$FRESH_DEB") && dpkg -s coinguard | head -n 3"
        step deb-checks "/root/deb-checks.sh ${FRESH_LURE:+/root/lure.eml}" || true
        exit 0
    fi
    step git "apt-get update -q && apt-get install -y -q --no-install-recommends git"
    step clone "git clone -q /src.git /root/coinguard && git -C /root/coinguard log --oneline -1"
    for s in ${FRESH_STEPS:-run test}; do
        case "$s" in
        run)  # README: ./setup run (foreground daemon): up, then stopped (tests/fresh/daemon-up.sh)
            step run "cd /root/coinguard && tests/fresh/daemon-up.sh ./setup run" || true ;;
        test)  # README: ./setup test -- the whole suite; then what it left installed (audit.sh)
            step test "cd /root/coinguard && ./setup test" || true
            step audit "/root/coinguard/tests/fresh/audit.sh /root/coinguard" || true ;;
        esac
    done
    exit 0
fi

# ---- runs on the host ----
[ "$(id -u)" = 0 ] || { echo "check-fresh: needs root (debootstrap, chroot, namespaces)" >&2; exit 2; }
command -v debootstrap >/dev/null || apt-get install -y -q --no-install-recommends debootstrap
MIRROR="${FRESH_MIRROR:-$(
    { grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}'
      grep -hs '^deb ' /etc/apt/sources.list | awk '{print $2}'; } | grep -v security | head -n 1 || true)}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
WORK="${FRESH_DIR:-$(mktemp -d /var/tmp/coinguard-fresh.XXXXXX)}"
ROOT="$WORK/root"
LOG="$WORK/log"
mkdir -p "$WORK"
: > "$LOG.summary"
cleanup() {
    [ -n "${proxy:-}" ] && kill "$proxy" 2>/dev/null || true
    if [ "${FRESH_KEEP:-}" != 1 ]; then rm -rf --one-file-system "$WORK"; fi
}
trap cleanup EXIT

echo "check-fresh: $WORK, mirror $MIRROR, plan ${FRESH_PLAN:-readme}, cloning $(git -C "$REPO" rev-parse --short "${FRESH_REF:-HEAD}")"
git clone -q --bare --no-local "$REPO" "$WORK/src.git"
git -C "$WORK/src.git" update-ref refs/heads/fresh "$(git -C "$REPO" rev-parse "${FRESH_REF:-HEAD}")"
git -C "$WORK/src.git" symbolic-ref HEAD refs/heads/fresh

start=$(date +%s)
debootstrap --variant=minbase "$SUITE" "$ROOT" "$MIRROR" > "$LOG.debootstrap" 2>&1 \
    || { tail -n 20 "$LOG.debootstrap"; echo "check-fresh: debootstrap failed" >&2; exit 1; }
echo "debootstrap $(( $(date +%s) - start )) 0" >> "$LOG.summary"
cp /etc/ssl/certs/ca-certificates.crt "$ROOT/root/.host-ca.crt"
if [ "${FRESH_PLAN:-readme}" = deb ]; then
    cp "$FRESH_DEB" "$ROOT/root/" && cp "$HERE/deb-checks.sh" "$ROOT/root/"
    [ -z "${FRESH_LURE:-}" ] || cp "$FRESH_LURE" "$ROOT/root/lure.eml"
fi
echo "127.0.0.1 localhost $(hostname)" > "$ROOT/etc/hosts"

"$HOST_PYTHON" "$HERE/registry_proxy.py" serve "$WORK/proxy.sock" $REGISTRIES 2> "$LOG.proxy" &
proxy=$!
for _ in $(seq 1 50); do [ -S "$WORK/proxy.sock" ] && break; sleep 0.1; done

# private network, mount and PID namespaces: loopback only, our mounts vanish with us, the chroot
# sees only its own processes, and whatever it leaves running dies with the namespace's PID 1
unshare --net --mount --propagation private --pid --fork -- "$0" --inside "$ROOT" "$WORK/proxy.sock" "$LOG" || true

echo
echo "check-fresh summary (step seconds exit-code):"
cat "$LOG.summary"
grep -h "passed\|failed\|daemon came up\|coinguard_rules_loaded" "$LOG.run" "$LOG.test" 2>/dev/null | tail -n 5 || true
[ ! -f "$LOG.deb-checks" ] || grep -v "^+" "$LOG.deb-checks" | tail -n 40
grep -q "refused" "$LOG.proxy" && { echo "registry proxy refused (not a registry):"; sort -u "$LOG.proxy" | head; }
failed=$(awk '$3 != 0 {print $1}' "$LOG.summary" | tr '\n' ' ')
if [ -n "$failed" ]; then echo "check-fresh: FAILED: $failed"; exit 1; fi
echo "check-fresh: OK"
