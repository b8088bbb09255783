#!/bin/bash
# make demo: a loopback-only private Postfix with the coinguard daemon attached; sends a clean
# and two malicious messages through it, prints what happened, then stops everything.
# Needs root (Postfix's master runs as root) and `make install`.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python demo/demo.py "$@"
