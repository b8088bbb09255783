from __future__ import annotations

import io
import json
import logging

import pytest

from coinguard.config import LoggingConfig
from coinguard.logsetup import kv_line, setup_logging


@pytest.fixture
def restore_root():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for h in list(root.handlers):
        root.removeHandler(h)
    for h in handlers:
        root.addHandler(h)
    root.setLevel(level)


def test_kv_line_quotes_only_what_needs_it():
    assert kv_line({"qid": "ABC", "from": "a@b.test", "codes": "x.y,z", "subject": "two words", "n": 3}) == (
        'qid=ABC from=a@b.test codes=x.y,z subject="two words" n=3')
    assert kv_line({"empty": "", "eq": "a=b"}) == 'empty="" eq="a=b"'


def test_kv_format_and_level(restore_root):
    out = io.StringIO()
    setup_logging(LoggingConfig(format="kv", level="warning"), stream=out)
    log = logging.getLogger("coinguard.test")
    log.info("hidden")
    fields = {"qid": "Q1", "verdict": "clean"}
    log.warning("%s", kv_line(fields), extra={"fields": fields})
    text = out.getvalue()
    assert "hidden" not in text
    line = text.strip()
    assert line.endswith("warning coinguard.test: qid=Q1 verdict=clean")
    assert line[:20].endswith("Z")


def test_json_format_puts_fields_at_top_level(restore_root):
    out = io.StringIO()
    setup_logging(LoggingConfig(format="json", level="info"), stream=out)
    fields = {"qid": "Q1", "verdict": "malicious", "ms": 12}
    logging.getLogger("coinguard.daemon").info("%s", kv_line(fields), extra={"fields": fields})
    logging.getLogger("coinguard.daemon").error("plain %s", "message")
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["qid"] == "Q1" and first["ms"] == 12 and first["level"] == "info" and "msg" not in first
    assert second["msg"] == "plain message" and second["level"] == "error"
