"""The README is part of the interface: its set-up commands and the finding table stay true."""

from __future__ import annotations

import os
import re

from coinguard.catalogue import render

from helpers import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_finding_table_matches_the_catalogue() -> None:
    table = README.split("<!-- findings:begin -->", 1)[1].split("<!-- findings:end -->", 1)[0].strip()
    assert table == render(markdown=True), "regenerate with: coinguard findings --markdown"


def test_exactly_two_setup_commands_that_the_makefile_has() -> None:
    setup = README.split("## Set-up", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#", 1)[0].strip() for line in setup.strip().splitlines()]
    assert commands == ["./setup run", "./setup test"]
    makefile = (REPO / "Makefile").read_text()
    assert re.search(r"^run:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    assert re.search(r"^\./setup test$", (REPO / ".ci" / "run").read_text(), re.M), "CI runs the README's command"
    setup = (REPO / "setup").read_text()
    assert os.access(REPO / "setup", os.X_OK) and setup.startswith("#!/bin/sh\n")
    assert 'exec make --no-print-directory "${@:-run}"' in setup
