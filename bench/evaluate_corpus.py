#!/usr/bin/env python3
"""Detection rates on the shared corpus through the real ``scan_message``, on two halves (run by hand).

    PYTHONPATH=milter .venv/bin/python bench/evaluate_corpus.py [--corpus ../shared/corpus] [--no-rules]
        [-c FILE] [--missed 40] [--json-out FILE] [--only tune|held]

Every MANIFEST row with an expected verdict is scanned the way ``tests/test_corpus.py`` does:
malicious samples are decompressed in memory (never written to disk) and wrapped into a neutral
message unless they are a message themselves, benign attachments are wrapped the same way, and
mails are scanned as they are.

**Two halves, so that tuning does not fool us** (issue 11 §6): a file belongs to the *tuning* half
when the first byte of the sha256 of its bytes (as stored in the corpus) is even, to the *held-back*
half otherwise.  Tune only on the tuning half: its misses are listed in detail; the held-back half
only shows its rates, per class and per technique, so that a rule written for one sample shows up
as a gap between the halves.

Classes and what counts as a hit:

- malicious (``maldocs/``): verdict ``malicious`` with action quarantine or reject;
- crypto phishing (``phishing/crypto``): flagged (suspicious or malicious);
- other phishing (``phishing/other``): flagged (reported, no target);
- benign mail and benign attachments: flagged is a false positive (the hit rate shown is the FP rate).

A second table shows what the mail met, whatever the verdict: the actions taken, and how many
verdicts were ``unchecked`` (not fully read).  An unchecked benign message quarantined by the
default policy is not "flagged" above, but the recipient does not get it either, and an unchecked
malicious one is stopped without being called malicious: both show here.

Techniques come from MANIFEST's ``contains`` column (``TECHNIQUES`` below; the phishing category in
brackets for phishing).  DNS goes to a closed loopback port (``[dkim] nameservers=["127.0.0.1"]``,
``dns_port=9``, 0.05 s timeout): every lookup is a temperror.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import hashlib
import json
import re
import sys
import time
import zipfile
from email.message import EmailMessage
from pathlib import Path

from coinguard.config import Config, load_config, parse_config
from coinguard.findings import Action, Verdict, VerdictKind
from coinguard.scan import Envelope, ScanContext, scan_message

REPO = Path(__file__).resolve().parents[1]
#: DNS to a closed loopback port: every lookup is a temperror, as on a machine with no network.  The
#: timeout is short because an unconnected UDP socket never sees the port's refusal and would wait it out.
OFFLINE_DNS = '[dkim]\nnameservers = ["127.0.0.1"]\ndns_port = 9\ndns_timeout_s = 0.05\n'
NEUTRAL_BODY = "Hello,\nplease find the document attached.\nRegards\n"
PASSWORDS = (b"infected", b"infected-test")
FLAGGED = (VerdictKind.SUSPICIOUS, VerdictKind.MALICIOUS)
STOPPED = (Action.QUARANTINE, Action.REJECT)
ACTIONS = tuple(a.value for a in Action)

#: technique label <- regular expression on MANIFEST's ``contains`` (first match wins).
TECHNIQUES: tuple[tuple[str, str], ...] = (
    ("eicar", r"EICAR"),
    ("encrypted office", r"encrypt|password-protected"),
    ("office xml named .doc", r"2003 XML"),
    ("dde", r"\bDDE\b"),
    ("xlm macro", r"XLM|Excel 4\.0|SYLK|\.iqy|Web Query"),
    ("vba macro", r"VBA|macro"),
    ("rtf object/exploit", r"\bRTF\b"),
    ("remote template/external link", r"REMOTE TEMPLATE|external|External"),
    ("embedded executable/lnk", r"embedd\w* (an )?(OLE Package )?(calc|PE)|LNK-to|calc\.lnk|PE executable"),
    ("onenote", r"OneNote"),
    ("hwp eps", r"HWP"),
    ("lnk", r"\bLNK\b|shortcut"),
    ("url shortcut", r"\.url\b"),
    ("chm", r"CHM"),
    ("hta", r"HTA"),
    ("script", r"JScript|PowerShell|VBScript|batch|\.ps1|\.vbs|\.js\b"),
    ("executable in mail", r"\.exe|PE\)|\bEXE\b|MZ"),
    ("archive robustness", r"recursive|looping|nested zip"),
    ("pdf lure", r"PDF"),
)


@dataclasses.dataclass(frozen=True)
class Sample:
    path: str
    klass: str
    technique: str
    half: str  # "tune" | "held"
    raw: bytes


@dataclasses.dataclass(frozen=True)
class Outcome:
    sample: Sample
    verdict: Verdict

    @property
    def hit(self) -> bool:
        v = self.verdict
        if self.sample.klass == "malicious":
            return v.verdict is VerdictKind.MALICIOUS and v.action in STOPPED
        return v.verdict in FLAGGED


def technique(path: str, contains: str) -> str:
    if path.startswith("phishing/"):
        m = re.search(r"\[([a-z-]+)\]", contains)
        return m.group(1) if m else "other"
    if path.startswith("benign/attachments/"):
        return "benign " + path.rsplit(".", 1)[-1].lower()
    if path.startswith("benign/"):
        return "benign mail"
    text = re.sub(r"^\[zip[^]]*\]", "", contains)
    for label, pattern in TECHNIQUES:
        if re.search(pattern, text):
            return label
    return "other"


def wrap(name: str, data: bytes) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Alice <alice@example.org>"
    msg["To"] = "bob@example.net"
    msg["Subject"] = "Documents"
    msg["Message-ID"] = "<bench-1@example.org>"
    msg["Date"] = "Tue, 24 Nov 2026 10:00:00 +0000"
    msg.set_content(NEUTRAL_BODY)
    msg.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return msg.as_bytes()


def _unzip(data: bytes) -> tuple[str, bytes]:
    import io

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = next(i for i in zf.infolist() if not i.is_dir())
        for pw in PASSWORDS:
            try:
                return info.filename, zf.read(info, pwd=pw)
            except RuntimeError:
                continue
    raise RuntimeError("no known password")


def klass_of(path: str) -> str | None:
    for prefix, name in (("maldocs/", "malicious"), ("phishing/crypto/", "crypto phishing"),
                         ("phishing/other/", "other phishing"), ("benign/attachments/", "benign attachment"),
                         ("benign/", "benign mail")):
        if path.startswith(prefix):
            return name
    return None


def half_of(data: bytes) -> str:
    return "tune" if hashlib.sha256(data).digest()[0] % 2 == 0 else "held"


def load_samples(root: Path) -> list[Sample]:
    out = []
    lines = (root / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    for line in lines[1:]:
        row = dict(zip(header, line.split("\t"), strict=False))
        path = row.get("path", "")
        klass = klass_of(path)
        if klass is None or row.get("expected") not in ("malicious", "benign", "phishing"):
            continue
        data = (root / path).read_bytes()
        if klass == "malicious":
            name, inner = _unzip(data)
            raw = inner if path.startswith("maldocs/email/") else wrap(name, inner)
        elif klass == "benign attachment" or path.endswith(".msg"):
            raw = wrap(path.rsplit("/", 1)[1], data)
        else:
            raw = data
        out.append(Sample(path, klass, technique(path, row.get("contains", "")), half_of(data), raw))
    return out


def _pct(hit: int, n: int) -> str:
    return f"{hit:3}/{n:<3} {100.0 * hit / n:5.1f}%" if n else "   -/0        "


CLASSES = ("malicious", "crypto phishing", "other phishing", "benign mail", "benign attachment")
WHAT = {"malicious": "quarantined/rejected", "crypto phishing": "flagged", "other phishing": "flagged",
        "benign mail": "flagged (FP)", "benign attachment": "flagged (FP)"}


def report(outcomes: list[Outcome], missed: int) -> None:
    by: dict[tuple[str, str], list[Outcome]] = collections.defaultdict(list)
    tech: dict[tuple[str, str, str], list[Outcome]] = collections.defaultdict(list)
    for o in outcomes:
        by[(o.sample.klass, o.sample.half)].append(o)
        tech[(o.sample.klass, o.sample.technique, o.sample.half)].append(o)
    print(f"{'class':20} {'what':22} {'tuning half':>16} {'held-back half':>16} {'all':>16}")
    for k in CLASSES:
        t, h = by[(k, "tune")], by[(k, "held")]
        cells = [_pct(sum(o.hit for o in rows), len(rows)) for rows in (t, h, t + h)]
        print(f"{k:20} {WHAT[k]:22} {cells[0]:>16} {cells[1]:>16} {cells[2]:>16}")
    print("\nwhat the mail met (tuning half | held-back half): actions, and verdicts left unchecked")
    for k in CLASSES:
        cells = []
        for half in ("tune", "held"):
            rows = by[(k, half)]
            acts = collections.Counter(o.verdict.action.value for o in rows)
            unchecked = sum(o.verdict.verdict is VerdictKind.UNCHECKED for o in rows)
            cells.append(" ".join([f"{a}={acts[a]}" for a in ACTIONS if acts[a]] + [f"unchecked={unchecked}"]))
        print(f"  {k:18} {cells[0]:48} | {cells[1]}")
    print("\nper technique (class / technique: tuning, held-back)")
    for k in CLASSES:
        for name in sorted({t for (kk, t, _) in tech if kk == k}):
            t, h = tech[(k, name, "tune")], tech[(k, name, "held")]
            print(f"  {k:18} {name:32} {_pct(sum(o.hit for o in t), len(t)):>16} "
                  f"{_pct(sum(o.hit for o in h), len(h)):>16}")
    print("\nmisses, tuning half (malicious not stopped, phishing not flagged, benign flagged):")
    shown = 0
    for k in CLASSES:
        wrong = [o for o in by[(k, "tune")] if o.hit == k.startswith("benign")]
        if k == "other phishing":
            continue
        for o in wrong:
            if shown >= missed:
                break
            shown += 1
            v = o.verdict
            codes = " ".join(f"{f.code}={f.score:g}" for f in v.findings[:6])
            print(f"  [{k}] {o.sample.path} {v.verdict}/{v.action} score={v.score:g} {codes}")
    held = {k: sum(1 for o in by[(k, "held")] if o.hit == k.startswith("benign")) for k in CLASSES}
    print("misses, held-back half (counts only): " + ", ".join(f"{k}={n}" for k, n in held.items()))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default=str(REPO.parent / "shared" / "corpus"))
    ap.add_argument("-c", "--config", help="coinguard.toml (default: embedded defaults with loopback DNS)")
    ap.add_argument("--no-rules", action="store_true", help="leave the YARA rules out")
    ap.add_argument("--missed", type=int, default=60, help="list at most this many misses of the tuning half")
    ap.add_argument("--only", choices=("tune", "held"), help="scan one half only")
    ap.add_argument("--json-out", help="write one verdict per line here (with class, technique and half)")
    args = ap.parse_args(argv)
    root = Path(args.corpus)
    if not (root / "MANIFEST.tsv").is_file():
        print(f"no corpus at {root}", file=sys.stderr)
        return 2
    cfg: Config = load_config(args.config) if args.config else parse_config(OFFLINE_DNS)
    rules = None
    if not args.no_rules:
        from coinguard.rules import compile_rules

        rules = compile_rules(cfg.rules.dirs).rules
    samples = [s for s in load_samples(root) if args.only in (None, s.half)]
    out = open(args.json_out, "w", encoding="utf-8") if args.json_out else None  # noqa: SIM115
    started = time.monotonic()
    outcomes = []
    for s in samples:
        v = scan_message(s.raw, ScanContext(config=cfg, rules=rules, envelope=Envelope(id=s.path)))
        outcomes.append(Outcome(s, v))
        if out is not None:
            obj = v.to_json()
            obj.update(id=s.path, klass=s.klass, technique=s.technique, half=s.half)
            out.write(json.dumps(obj, ensure_ascii=False) + "\n")
    if out is not None:
        out.close()
    print(f"scanned {len(samples)} messages in {time.monotonic() - started:.1f}s "
          f"(profile {getattr(cfg.policy, 'profile', 'n/a')}, rules {'off' if rules is None else 'on'})\n")
    report(outcomes, args.missed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
