"""Detection on the real corpus (../shared/corpus): the issue's "done means", as regression tests.

Malicious samples are decompressed in memory and wrapped into a neutral message (or scanned
as the message they are), through the same ``scan_message`` the daemon uses.  Skips
without the corpus.  Rates are printed (``pytest -s tests/test_corpus.py``).
"""

from __future__ import annotations

from functools import cache

import pytest

from coinguard.config import parse_config
from coinguard.dns import DnsTempError
from coinguard.findings import Verdict, VerdictKind
from coinguard.rules import compile_rules
from coinguard.scan import Envelope, ScanContext, scan_message

from helpers import CORPUS, make_message, manifest, read_corpus_sample

pytestmark = pytest.mark.corpus

ROWS = manifest()
FLAGGED = (VerdictKind.SUSPICIOUS, VerdictKind.MALICIOUS)
NEUTRAL_BODY = "Hello,\nplease find the document attached.\nRegards\n"


@cache
def _ctx() -> ScanContext:
    # no DNS at all: every DKIM key lookup is an immediate temperror (dkim_auth handles it)
    cfg = parse_config('[dkim]\nnameservers = ["127.0.0.1"]\ndns_port = 9\ndns_timeout_s = 0.5\n')
    return ScanContext(config=cfg, rules=compile_rules(cfg.rules.dirs).rules, dns_resolver=_offline)


def _offline(name: bytes, timeout: float = 5.0) -> bytes | None:
    raise DnsTempError("offline test run")


_SCANNED: dict[str, Verdict] = {}


def _scan(raw: bytes, label: str) -> Verdict:
    ctx = _ctx()
    v = scan_message(raw, ScanContext(config=ctx.config, rules=ctx.rules, envelope=Envelope(id=label),
                                      dns_resolver=ctx.dns_resolver))
    _SCANNED[label] = v
    return v


def _inner_name(row: dict[str, str]) -> str:
    return row["contains"].split("inner=", 1)[1].split()[0]


def _wrapped(row: dict[str, str]) -> bytes:
    data = read_corpus_sample(row["path"])
    if row["path"].startswith("maldocs/email/"):
        return data
    return make_message(subject="Documents", body=NEUTRAL_BODY, attachments=[(_inner_name(row), data)])


def _summary(v: Verdict) -> str:
    return f"{v.verdict} {v.score:g} {v.codes[:6]}"


def _flagged(v: Verdict) -> bool:
    """Suspicious or malicious; or unchecked with a score that is suspicious by itself (an encrypted
    document nobody could open: the unread part makes it unchecked, the evidence still counts)."""
    if v.verdict is VerdictKind.UNCHECKED:
        return v.score >= _ctx().config.policy.suspicious_score
    return v.verdict in FLAGGED


#: Benign fixtures that are damaged on purpose (mail's test suite attaches a truncated "broken.pdf"):
#: nobody can read them, so unchecked -- never clean -- is their right verdict.
UNREADABLE_FIXTURES = frozenset({"broken.pdf"})


def _clean_or_honestly_unchecked(v: Verdict) -> bool:
    if v.verdict is VerdictKind.CLEAN:
        return True
    from coinguard.catalogue import catalogue
    from coinguard.policy import lookup

    unread = [f for f in v.findings if (info := lookup(f.code, catalogue())) is not None and info.incomplete]
    return (v.verdict is VerdictKind.UNCHECKED and v.score < _ctx().config.policy.suspicious_score
            and all(f.path.rsplit("/", 1)[-1] in UNREADABLE_FIXTURES for f in unread))


MALDOCS = [r for r in ROWS if r["path"].startswith("maldocs/")]
BENIGN_MAIL = [r for r in ROWS if r["path"].startswith("benign/") and r["path"].endswith((".eml", ".msg"))
               and "/attachments/" not in r["path"]]
BENIGN_FILES = [r for r in ROWS if r["path"].startswith("benign/attachments/")]
# a .bat or .lnk is risky by type, and an encrypted file we cannot open is unscannable: tagging
# such a harmless file is the policy; quarantining it is not
RISKY_BY_POLICY = ("risky file type", "policy-sensitive", "encrypted OOXML")


#: Samples whose content nobody can read: an encrypted document whose password is not in the mail is
#: not the password-in-the-body lure (issue 11 counts tagging it as a false positive); the scan must
#: say it could not open it (issue 10's "unchecked" handles it in the policy).
UNREADABLE = ("unknown password",)


@pytest.mark.parametrize("row", MALDOCS, ids=[r["path"].split("/", 1)[1] for r in MALDOCS])
def test_malicious_sample_is_flagged(row: dict[str, str]) -> None:
    v = _scan(_wrapped(row), row["path"])
    if any(word in row["contains"] for word in UNREADABLE):
        assert "office.encrypted.unopened" in v.codes, _summary(v)
        return
    assert _flagged(v), _summary(v)


def test_malicious_samples_are_mostly_quarantined_on_their_own() -> None:
    """Issue 11: conclusive evidence quarantines without a crypto theme (the neutral wrapper has none).

    A floor that catches regressions of the strength model; bench/evaluate_corpus.py reports the
    rates per half and technique, and the remaining misses (carriers whose payload was stripped).
    """
    verdicts = [_SCANNED.get(r["path"]) or _scan(_wrapped(r), r["path"]) for r in MALDOCS]
    stopped = [v for v in verdicts if v.verdict is VerdictKind.MALICIOUS]
    assert len(stopped) / len(verdicts) >= 0.85, [(v.id, v.basis) for v in verdicts if v not in stopped]
    for v in stopped:
        assert v.basis and all(f.strength for f in v.findings if (f.score or 0) > 0), v.to_json()


@pytest.mark.parametrize("row", BENIGN_MAIL, ids=[r["path"].split("/", 1)[1] for r in BENIGN_MAIL])
def test_benign_message_is_not_flagged(row: dict[str, str]) -> None:
    raw = (CORPUS / row["path"]).read_bytes()
    if row["path"].endswith(".msg"):
        raw = make_message(subject="Outlook item", body=NEUTRAL_BODY, attachments=[("mail.msg", raw)])
    v = _scan(raw, row["path"])
    assert _clean_or_honestly_unchecked(v), _summary(v)


@pytest.mark.parametrize("row", BENIGN_FILES, ids=[r["path"].split("/", 2)[2] for r in BENIGN_FILES])
def test_benign_attachment_is_not_quarantined(row: dict[str, str]) -> None:
    data = (CORPUS / row["path"]).read_bytes()
    name = row["path"].rsplit("/", 1)[1]
    v = _scan(make_message(subject="Documents", body=NEUTRAL_BODY, attachments=[(name, data)]), row["path"])
    if any(word in row["contains"] for word in RISKY_BY_POLICY):
        assert v.verdict is not VerdictKind.MALICIOUS, _summary(v)
    else:
        assert v.verdict is VerdictKind.CLEAN, _summary(v)


def test_phishing_detection_rates() -> None:
    crypto = [r for r in ROWS if r["path"].startswith("phishing/crypto/")]
    other = [r for r in ROWS if r["path"].startswith("phishing/other/")]
    assert crypto
    rates = {}
    for label, rows in (("crypto", crypto), ("other", other)):
        flagged = sum(_flagged(_scan((CORPUS / r["path"]).read_bytes(), r["path"])) for r in rows)
        rates[label] = flagged / len(rows)
        print(f"\nphishing/{label}: {flagged}/{len(rows)} flagged ({rates[label]:.0%})")
    # a floor that catches regressions; the note reports the measured rates
    assert rates["crypto"] >= 0.6
