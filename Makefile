# coinguard: set-up, run, test and demo on Debian 12 (run as root on a fresh machine).
# On a minimal Debian without make, `./setup TARGET` installs make first, then runs it.
#
#   make run          install what the daemon needs (.venv: runtime dependencies only), run it
#   make test         also install what the tests need (.venv-test: + the [test] extra), run them all
#   make demo         loopback-only Postfix + daemon; send a clean and a malicious message
#   make lint         ruff and mypy (the same checks CI runs)
#   make check-fresh  prove the README's set-up on a bare debootstrap Debian 12 (slow; root)
#   make man          the coinguard(8) man page and the bash completion, into build/
#   make deb          build/coinguard_VERSION_ARCH.deb (application in /opt/coinguard, own venv; root)
#   make check-deb    install that .deb in a clean debootstrap chroot and check it (slow; root)
#
# `install` is idempotent: apt only installs what is missing, and each venv step is skipped
# while its stamp file is newer than setup.cfg, pyproject.toml and this Makefile.

SHELL := /bin/bash
PYTHON ?= /usr/bin/python3
VENV ?= .venv
TEST_VENV ?= .venv-test
STAMP := $(VENV)/.coinguard-installed
TEST_STAMP := $(TEST_VENV)/.coinguard-installed
PIP_FLAGS := --disable-pip-version-check --progress-bar off

# System packages.  Engineers: append yours here (one line each, with why).
# What the daemon needs (make run):
APT_PACKAGES := postfix libmilter-dev python3-dev python3-venv python3-pip gcc make
APT_PACKAGES += unar 7zip libarchive-tools  # RAR (rarfile backend), CAB/FAT/VHD images (7zz)
APT_PACKAGES += ca-certificates
APT_PACKAGES += procps  # /bin/kill: the systemd unit's ExecReload sends SIGUSR1 with it
# What only the tests need (make test): promtool for the alert-rule tests, systemd-analyze and
# systemd-sysusers for the unit tests.  Installed without Recommends (prometheus would pull in
# node-exporter, ipmitool, nvme-cli...), with a policy-rc.d that forbids starting services during
# the install, and the prometheus unit disabled afterwards: the tests only run promtool.
APT_TEST_PACKAGES := prometheus systemd
# Services a test package brings that must never run (disabled when this Makefile installed them).
APT_TEST_SERVICES := prometheus.service
APT_TEST_PACKAGES += chromium chromium-driver  # console browser tests (selenium, headless)
# PostgreSQL and Redis for tests/shared_state: the tests start their own servers (initdb + pg_ctl,
# redis-server) on free loopback ports; the system instances are never started nor enabled.
APT_TEST_PACKAGES += postgresql redis-server
APT_TEST_SERVICES += postgresql.service redis-server.service
# What only bench/bench_gateway.py needs (make install-bench): rspamd, a peer it measures against
# (the bench starts and stops its own instance on loopback).
APT_BENCH_PACKAGES := rspamd

.PHONY: install install-test install-bench apt apt-test venv test-venv run test demo lint check-fresh man deb check-deb clean

install: $(STAMP)

$(STAMP): setup.cfg pyproject.toml Makefile
	@$(MAKE) --no-print-directory apt
	@$(MAKE) --no-print-directory venv
	@touch $@

install-test: $(TEST_STAMP)

$(TEST_STAMP): setup.cfg pyproject.toml Makefile
	@$(MAKE) --no-print-directory apt
	@$(MAKE) --no-print-directory apt-test
	@$(MAKE) --no-print-directory test-venv
	@touch $@

# The same way as the test packages (no Recommends, nothing started, the unit disabled).
install-bench: install-test
	@$(MAKE) --no-print-directory apt-test APT_TEST_PACKAGES="$(APT_BENCH_PACKAGES)" APT_TEST_SERVICES=rspamd.service

# apt-get install of the missing ones among $(APT_PACKAGES); APT_FLAGS adds install options.
apt:
	@if [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then \
	  echo "make install: not root or no apt-get; not installing system packages: $(APT_PACKAGES)"; exit 0; fi; \
	missing=""; \
	for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "make install: system packages present"; exit 0; fi; \
	echo "make install: apt-get install$$missing"; \
	echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections; \
	echo "postfix postfix/mailname string localhost" | debconf-set-selections; \
	apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(APT_FLAGS) $$missing || exit 1; \
	if [ "$(APT_DISABLE)" ] && command -v systemctl >/dev/null; then \
	  for s in $(APT_DISABLE); do systemctl disable "$$s" || exit 1; done; fi

# The test packages: no Recommends, no service started during the install (policy-rc.d exit 101
# is how Debian's invoke-rc.d/deb-systemd-invoke are told "not now"), and their units disabled.
POLICY_RC_D ?= /usr/sbin/policy-rc.d
apt-test:
	@if [ "$$(id -u)" = 0 ] && [ ! -e $(POLICY_RC_D) ]; then \
	  printf '#!/bin/sh\n# coinguard make apt-test: no service starts while test packages install\nexit 101\n' \
	    > $(POLICY_RC_D) && chmod 755 $(POLICY_RC_D) && own=1; fi; \
	$(MAKE) --no-print-directory apt APT_PACKAGES="$(APT_TEST_PACKAGES)" APT_FLAGS=--no-install-recommends \
	  APT_DISABLE="$(APT_TEST_SERVICES)"; rc=$$?; \
	if [ "$${own:-}" ]; then rm -f $(POLICY_RC_D); fi; exit $$rc

# Production venv: the package and its runtime dependencies only.
venv:
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	@echo "make install: Python packages into $(VENV) (runtime dependencies; a few minutes the first time)"
	$(VENV)/bin/pip install $(PIP_FLAGS) --upgrade pip wheel
	$(VENV)/bin/pip install $(PIP_FLAGS) -e .

# Test venv: the same plus the [test] extra (pytest, ruff, mypy, aiosmtpd, ...).
test-venv:
	@test -x $(TEST_VENV)/bin/python || $(PYTHON) -m venv $(TEST_VENV)
	@echo "make install-test: Python packages into $(TEST_VENV) (runtime + [test] extra)"
	$(TEST_VENV)/bin/pip install $(PIP_FLAGS) --upgrade pip wheel
	$(TEST_VENV)/bin/pip install $(PIP_FLAGS) -e '.[test]'

run: install
	$(VENV)/bin/coinguard run

test: install-test
	$(TEST_VENV)/bin/pytest

demo: install
	demo/demo.sh

lint: install-test
	$(TEST_VENV)/bin/ruff check milter tests bench demo
	cd milter && ../$(TEST_VENV)/bin/mypy --config-file ../setup.cfg -p coinguard

check-fresh:
	tests/fresh/check-fresh.sh

# coinguard(8) from the argparse definitions (argparse-manpage) and the bash completion (argcomplete)
man: install-test
	packaging/build-docs.sh $(TEST_VENV)/bin build
	@echo "make man: build/coinguard.8 build/coinguard.bash"

# build/coinguard_VERSION_ARCH.deb: the application in /opt/coinguard with its own venv (root)
deb: install-test
	packaging/build-deb.sh $(TEST_VENV)/bin build

# install the .deb in a clean debootstrap chroot and check it (slow; root)
check-deb: deb
	$(TEST_VENV)/bin/python -c 'import sys; sys.path.insert(0, "tests"); from test_packaging import lure_message; \
	  sys.stdout.buffer.write(lure_message())' > build/lure.eml
	FRESH_PLAN=deb FRESH_DEB="$$(ls -t build/coinguard_*.deb | head -n 1)" FRESH_LURE=build/lure.eml \
	  tests/fresh/check-fresh.sh

clean:
	rm -rf $(STAMP) $(TEST_STAMP) build dist .pytest_cache .ruff_cache
