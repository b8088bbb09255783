# coinguard: set-up, run, test and demo on Debian 12 (run as root on a fresh machine).
#
#   make run    install everything, then run the daemon on the embedded defaults
#   make test   install everything, then run the whole test suite (unit + real Postfix)
#   make demo   loopback-only Postfix + daemon; send a clean and a malicious message
#   make lint   ruff
#
# `install` is idempotent: apt only installs what is missing, and the venv step is skipped
# while the stamp file is newer than setup.cfg, pyproject.toml and this Makefile.

SHELL := /bin/bash
PYTHON ?= /usr/bin/python3
VENV ?= .venv
STAMP := $(VENV)/.coinguard-installed

# System packages.  Engineers: append yours here (one line each, with why).
# What the daemon needs (make run):
APT_PACKAGES := postfix libmilter-dev python3-dev python3-venv python3-pip gcc make
APT_PACKAGES += unar 7zip libarchive-tools  # RAR (rarfile backend), CAB/FAT/VHD images (7zz)
APT_PACKAGES += ca-certificates
# What only the tests need (make test): promtool for the alert-rule tests, systemd-analyze and
# systemd-sysusers for the unit tests.  Not installed by `make run`: on a host where systemd
# runs, Debian's prometheus package would also start a Prometheus server.
APT_TEST_PACKAGES := prometheus systemd
# PostgreSQL and Redis for tests/shared_state: the tests start their own servers on free loopback
# ports and never use a system instance Debian's postinst may have started.
APT_TEST_PACKAGES += postgresql redis-server

.PHONY: install install-test apt venv run test demo lint clean

install: $(STAMP)

$(STAMP): setup.cfg pyproject.toml Makefile
	@$(MAKE) --no-print-directory apt
	@$(MAKE) --no-print-directory venv
	@touch $@

install-test: install
	@$(MAKE) --no-print-directory apt APT_PACKAGES="$(APT_TEST_PACKAGES)"

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
	apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing

venv:
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check --upgrade pip wheel
	$(VENV)/bin/pip install -q --disable-pip-version-check -e '.[test]'

run: install
	$(VENV)/bin/coinguard run

test: install-test
	$(VENV)/bin/pytest

demo: install
	demo/demo.sh

lint: install
	$(VENV)/bin/ruff check milter tests bench demo

clean:
	rm -rf $(STAMP) build dist .pytest_cache .ruff_cache
