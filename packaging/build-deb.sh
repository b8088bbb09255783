#!/bin/bash
# build-deb.sh BIN_DIR OUT_DIR: build OUT_DIR/coinguard_VERSION_ARCH.deb (`make deb`; root).
#
# BIN_DIR is the bin/ of a venv with coinguard and the [test] extra (it builds the wheel, the man
# page and the completion).  The package holds:
#   /opt/coinguard/.venv            its own venv: the wheel and its runtime dependencies (the paths
#                                   the systemd units in systemd/ already use)
#   /opt/coinguard/docs/            operations.md, rules.md (the units' Documentation=)
#   /usr/bin/coinguard, coinguard-milter    symlinks into the venv
#   /etc/coinguard/coinguard.toml   conffile (packaging/deb/coinguard.toml)
#   /lib/systemd/system/            coinguard.service, coinguard-purge.service/.timer
#   /usr/lib/sysusers.d/coinguard.conf, man page coinguard(8), bash completion, /usr/share/doc/coinguard
# The venv is created at its final path inside a private mount namespace (a tmpfs over /opt with
# the staging directory bound to /opt/coinguard), so its scripts and bytecode carry the installed
# paths and nothing on the build host changes.  Depends: the shared libraries the venv's extension
# modules link to, mapped to their Debian packages (dpkg -S), plus the interpreter and procps.
set -euo pipefail

BIN="$(cd "$1" && pwd)"
OUT="$(mkdir -p "$2" && cd "$2" && pwd)"
REPO="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON=/usr/bin/python3
[ "$(id -u)" = 0 ] || { echo "build-deb: needs root (private mount namespace for the venv)" >&2; exit 2; }

VERSION="$("$BIN/python" -c 'import coinguard; print(coinguard.__version__)')"
ARCH="$(dpkg --print-architecture)"
PYVER="$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
STAGE="$(mktemp -d /var/tmp/coinguard-deb.XXXXXX)"
trap 'rm -rf --one-file-system "$STAGE"' EXIT
PKG="$STAGE/pkg"
echo "build-deb: coinguard $VERSION ($ARCH, python$PYVER) in $STAGE"

"$BIN/pip" wheel --no-deps --no-build-isolation --disable-pip-version-check -q -w "$STAGE/wheel" "$REPO"
mkdir -p "$PKG/opt/coinguard"
# PYTHONPATH/PYTHONHOME would let pip see a checkout's coinguard as "already installed"
env -u PYTHONPATH -u PYTHONHOME -u PIP_REQUIRE_VIRTUALENV unshare --mount --propagation private -- /bin/sh -euc '
    mount -t tmpfs -o mode=0755 tmpfs /opt
    mkdir /opt/coinguard
    mount --bind "$1/opt/coinguard" /opt/coinguard
    "$2" -m venv /opt/coinguard/.venv
    /opt/coinguard/.venv/bin/pip install --disable-pip-version-check --progress-bar off -q --upgrade pip
    /opt/coinguard/.venv/bin/pip install --disable-pip-version-check --progress-bar off "$3"/coinguard-*.whl
    /opt/coinguard/.venv/bin/coinguard --version  # the installed wheel, at its final path
' sh "$PKG" "$PYTHON" "$STAGE/wheel"

install -d "$PKG/opt/coinguard/docs" "$PKG/usr/bin" "$PKG/etc/coinguard" "$PKG/lib/systemd/system" \
    "$PKG/usr/lib/sysusers.d" "$PKG/usr/share/man/man8" "$PKG/usr/share/bash-completion/completions" \
    "$PKG/usr/share/doc/coinguard" "$PKG/DEBIAN"
install -m 0644 "$REPO/docs/operations.md" "$REPO/docs/rules.md" "$PKG/opt/coinguard/docs/"
ln -s /opt/coinguard/.venv/bin/coinguard "$PKG/usr/bin/coinguard"
ln -s /opt/coinguard/.venv/bin/coinguard-milter "$PKG/usr/bin/coinguard-milter"
install -m 0644 "$REPO/packaging/deb/coinguard.toml" "$PKG/etc/coinguard/coinguard.toml"
install -m 0644 "$REPO"/systemd/coinguard.service "$REPO"/systemd/coinguard-purge.service \
    "$REPO"/systemd/coinguard-purge.timer "$PKG/lib/systemd/system/"
install -m 0644 "$REPO/systemd/coinguard.sysusers" "$PKG/usr/lib/sysusers.d/coinguard.conf"
PYTHONPATH="$REPO/milter" "$REPO/packaging/build-docs.sh" "$BIN" "$STAGE/docs"
gzip -9n < "$STAGE/docs/coinguard.8" > "$PKG/usr/share/man/man8/coinguard.8.gz"
install -m 0644 "$STAGE/docs/coinguard.bash" "$PKG/usr/share/bash-completion/completions/coinguard"
install -m 0644 "$REPO/packaging/deb/copyright" "$PKG/usr/share/doc/coinguard/copyright"
gzip -9n < "$REPO/CHANGELOG.md" > "$PKG/usr/share/doc/coinguard/changelog.gz"
install -m 0644 "$REPO/config/coinguard.toml" "$PKG/usr/share/doc/coinguard/coinguard.toml.example"
install -m 0644 "$REPO/README.md" "$PKG/usr/share/doc/coinguard/README.md"
install -m 0755 "$REPO"/packaging/deb/postinst "$REPO"/packaging/deb/prerm "$REPO"/packaging/deb/postrm \
    "$PKG/DEBIAN/"
echo /etc/coinguard/coinguard.toml > "$PKG/DEBIAN/conffiles"

# Depends: the packages owning the libraries the venv's extension modules need (not those the
# wheels bundle in *.libs/), plus the interpreter the venv runs on and /bin/kill for ExecReload.
libs="$(find "$PKG/opt/coinguard/.venv" -name '*.so*' -type f -print0 | xargs -0 -r ldd 2>/dev/null \
    | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | grep -v "^$PKG" | sort -u)"
shlib_pkgs="$(for lib in $libs; do dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "$lib" 2>/dev/null || true; done \
    | cut -d: -f1 | sort -u | tr '\n' ' ')"
depends="python3 (>= $PYVER~), python3 (<< ${PYVER%.*}.$(( ${PYVER#*.} + 1 ))), python$PYVER, procps"
for p in $shlib_pkgs; do depends="$depends, $p"; done
cat > "$PKG/DEBIAN/control" <<EOF
Package: coinguard
Version: $VERSION
Architecture: $ARCH
Maintainer: coinguard maintainers <root@localhost>
Installed-Size: $(du -sk --exclude=DEBIAN "$PKG" | cut -f1)
Depends: $depends
Recommends: postfix, unar, 7zip, libarchive-tools, systemd
Section: mail
Priority: optional
Description: Postfix milter against malicious, crypto-themed mail attachments
 coinguard reads each message inline, unpacks every layer (archives, disk images, documents), and
 analyses what it finds (YARA, oletools, DKIM, crypto-lure evidence) to tag, quarantine or reject
 the attacks aimed at individual cryptocurrency holders: macro documents, RTF exploits, HWP files,
 shortcuts in encrypted ZIPs, disk images and scripts.  It never calls clean what it could not read.
 .
 The application and its own Python environment live in /opt/coinguard; the service is not started
 until the administrator has configured Postfix (coinguard setup postfix).
EOF
deb="$OUT/coinguard_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Zgzip --build "$PKG" "$deb" >/dev/null
echo "build-deb: $deb ($(du -h "$deb" | cut -f1)); Depends: $depends"
