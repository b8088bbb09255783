"""Brand-free link techniques, judged only in crypto-themed mail."""

from __future__ import annotations

from coinguard.analyzers.links import LinkAnalyzer, link_techniques
from coinguard.findings import Finding
from coinguard.handlers import MessageInfo

from helpers import make_context

CID = "QmVRJwcDuG2Y2rJZg1ziWDASCo1iRhjh4GH5MBpbGChjmp"


def test_each_technique() -> None:
    found = link_techniques([
        f"https://dweb.link/ipfs/{CID}?filename=wallet.html",
        "http://185.12.1.9/claim",
        "https://xn--metamsk-9ya.example/login",
        "https://track.example/click?ued=https%3A%2F%2Fdrainer.example%2Fclaim",
        "javascript:document.location='x'",
    ])
    assert set(found) == {"links.ipfs", "links.raw_ip", "links.punycode", "links.redirect", "links.script"}
    assert found["links.redirect"] == ["track.example -> drainer.example"]


def test_ordinary_links_say_nothing() -> None:
    assert link_techniques([
        "https://www.example.org/news?id=5",
        "https://news.example.com/out?url=https://news.example.com/article",  # redirect inside one organisation
        "mailto:info@example.org",
    ]) == {}


def run(body: str, findings: list[Finding]) -> set[str]:
    msg = MessageInfo(body_text=body)
    return {f.code for f in LinkAnalyzer().analyze_message(msg, (), findings, make_context(message=msg))}


def test_only_in_crypto_themed_mail() -> None:
    body = f"Claim your airdrop: https://dweb.link/ipfs/{CID}\n"
    assert run(body, []) == set()
    assert run(body, [Finding("crypto.lure.body", "crypto_theme")]) == {"links.ipfs"}
