"""An everyday-word brand name in the From display name and a From domain made of the brand's label plus
glue words only are context for each other (brands.display_and_domain_agree, issue 11).

The technique: "Kraken <statements@kraken-statements.com>" with "sign in to view your statement" -- no crypto
word in the mail, so the weak name ("Kraken", "Ledger", "Exodus", "Phantom") was never judged.  Both the
display name and the domain claim the same brand; a business that is named by the word has its own words in
its domain ("phantom-plumbing", "kraken-rum"), and the brand's own signed mail names its own domain.
"""

from __future__ import annotations

import pytest

from analyzers.test_phish_variants import button, mail
from analyzers.test_recall_variants import _flagged

#: (From, Subject, body, link or "" for plain text with the link written in the body, DKIM signer)
Case = tuple[str, str, str, str, bytes]

LURES: dict[str, Case] = {
    "Kraken statement, HTML": (
        "Kraken <statements@kraken-statements.com>", "Your monthly statement",
        "Your monthly account statement is ready. Sign in to view it.", "https://kraken-statements.com/login", b""),
    "Ledger invoice, plain text, glued domain": (
        "Ledger <no-reply@ledgerbilling.com>", "Invoice 2026-118",
        "Your invoice for order 2026-118 is available. Log in to download it: https://ledgerbilling.com/account",
        "", b""),
    "Exodus invoice, German": (
        "Exodus <service@exodus-invoices.com>", "Ihre Rechnung 2026",
        "Ihre Rechnung für 2026 liegt bereit. Melden Sie sich an, um sie herunterzuladen.",
        "https://exodus-invoices.com/anmelden", b""),
    "Phantom receipt, French": (
        "Phantom <recus@phantom-receipts.com>", "Votre reçu",
        "Votre reçu du mois est disponible. Connectez-vous pour le consulter.",
        "https://phantom-receipts.com/connexion", b""),
    "Kraken statement, Spanish, display with a desk word": (
        "Kraken Soporte <avisos@kraken-statement.net>", "Su extracto mensual",
        "Su extracto mensual está listo. Inicie sesión para verlo: https://kraken-statement.net/login", "", b""),
}

BENIGN: dict[str, Case] = {
    "a plumber named Phantom": (
        "Phantom Plumbing <office@phantom-plumbing.com>", "Your invoice",
        "Your invoice for the boiler repair is ready. Sign in to view it.", "https://phantom-plumbing.com/login",
        b""),
    "a rum shop named Kraken": (
        "Kraken Rum <shop@krakenrum.com>", "Your order",
        "Thanks for your order of two bottles. Log in to track it: https://krakenrum.com/account", "", b""),
    "an accounting firm named Ledger": (
        "Ledger Accounting <billing@ledger-accounting.com>", "Your statement",
        "Your quarterly statement is ready. Sign in to the client portal to view it.", "", b""),
    "a travel agency named Exodus": (
        "Exodus Travels <bookings@exodustravels.co.uk>", "Your booking",
        "Your booking for the Atlas trek is confirmed. Log in to see your itinerary.",
        "https://exodustravels.co.uk/account", b""),
    "the exchange's own signed statement": (
        "Kraken <statements@kraken.com>", "Your monthly statement",
        "Your monthly account statement is ready. Sign in to view it.", "https://www.kraken.com/sign-in",
        b"kraken.com"),
    "a tax adviser named Ledger": (
        "Ledger Tax <office@ledger-tax.com>", "Your 2026 return",
        "Your tax return is ready for review. Sign in to the portal to approve it.", "https://ledger-tax.com/portal",
        b""),
    "brand-plus-glue domain, nothing asked": (
        "Stellar <news@stellar-reports.com>", "Quarterly report",
        "Our quarterly report on the regional economy is on our website next week.", "", b""),
}


def _build(case: Case) -> bytes:
    sender, subject, body, link, signer = case
    if not link:
        return mail(sender, subject, text=body + "\n", sign=signer)
    return mail(sender, subject, html=f"<p>{body}</p>" + button(link, "Open"), sign=signer)


@pytest.mark.parametrize(("name", "lure"), [(n, True) for n in LURES] + [(n, False) for n in BENIGN])
def test_display_and_domain_claim_the_same_weak_brand(name: str, lure: bool) -> None:
    flagged, why = _flagged(_build((LURES if lure else BENIGN)[name]))
    assert flagged is lure, why


def test_agreement_needs_the_display_name_too() -> None:
    """The domain alone ("kraken-statements.com" from "Statements") keeps needing crypto context."""
    flagged, why = _flagged(mail(
        "Statements <statements@kraken-statements.com>", "Your monthly statement",
        text="Your monthly account statement is ready. Sign in to view it.\n"))
    assert not flagged, why
