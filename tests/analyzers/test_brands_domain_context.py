"""An everyday-word brand plus crypto or account words in a domain is the mail's crypto context (issue 11).

"Phantom" or "Jupiter" alone is a word; ``phantom-wallet-update.com`` or ``jup-claim.web.app`` says which
Phantom or Jupiter is meant, so the mail's everyday-word brand names count and the domain is a look-alike
even when the mail is a picture with one line (brands.domain_context, brands.self_evident).  Crafted, harmless.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from analyzers.test_phish_variants import _photo, button, mail, scan
from coinguard.findings import VerdictKind

IMG = '<a href="{href}"><img src="cid:banner" width="600" height="300" alt=""></a>'

LURES: dict[str, Callable[[], bytes]] = {
    "a picture under one line, everyday-word brand sender domain": lambda: mail(
        "Phantom <notice@phantom-wallet-update.com>", "Action required",
        html="<p>Please review the notice below.</p>" + IMG.format(href="https://phantom-wallet-update.com/r"),
        images=[("banner", _photo())]),
    "support-desk domain, display name the weak brand": lambda: mail(
        "Ledger <help@ledger-support-desk.io>", "Your case 4471",
        text="Hello,\nyour case 4471 is open. Reply to this message with the details we asked for.\n"),
    "link only carries the brand": lambda: mail(
        "Kraken <no-reply@mailer-7731.net>", "Notice",
        html="<p>One more step.</p>" + button("https://kraken-verify.net/step", "Continue")),
}

BENIGN: dict[str, Callable[[], bytes]] = {
    "fireworks shop newsletter": lambda: mail(
        "Phantom <news@phantom-fireworks.com>", "New season",
        html="<p>Our new season catalogue is out.</p>" + IMG.format(href="https://phantom-fireworks.com/catalogue"),
        images=[("banner", _photo())]),
    "accounting firm": lambda: mail(
        "Ledger <office@ledger-accounting.co.uk>", "Your quarterly accounts",
        text="Dear client,\nyour quarterly accounts are ready. Please review them before our meeting on Friday.\n"),
    "travel agency with a help desk link": lambda: mail(
        "Exodus <info@exodus-travel.com>", "Your booking",
        html="<p>Your booking is confirmed.</p>" + button("https://exodus-travel.com/help", "Manage booking")),
}


@pytest.mark.parametrize("name", sorted(LURES))
def test_everyday_word_brand_domain_lure_is_flagged(name: str) -> None:
    v = scan(LURES[name]())
    codes = {f.code for f in v.findings if f.score}
    assert v.verdict in (VerdictKind.SUSPICIOUS, VerdictKind.MALICIOUS), (v.score, codes)
    assert codes & {"brand.lookalike_domain", "brand.lookalike_link"}, codes


@pytest.mark.parametrize("name", sorted(BENIGN))
def test_everyday_word_business_is_clean(name: str) -> None:
    v = scan(BENIGN[name]())
    codes = {f.code for f in v.findings if f.score}
    assert v.verdict == VerdictKind.CLEAN, (v.score, codes)
    assert not any(c.startswith("brand.") for c in codes), codes
