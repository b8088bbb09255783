"""brand.impersonation for a brand named in the address of a free mailbox (issue 11, fake-support technique).

An exchange's security team, support desk or listing team never writes from a free mailbox: a From address
like "okx.security.center@gmail.com" makes the claim by itself, whatever the display name says.  The same
local part at a company's own domain claims nothing, and a weak brand word ("ledger") in a private person's
address counts only in crypto mail, as weak names do everywhere.
"""

from __future__ import annotations

from analyzers.test_phish_variants import mail, scan

LURE = "We noticed a problem with your withdrawal. Reply with your wallet address so our team can fix it.\n"


def _brand_findings(sender: str, text: str = LURE) -> list[str]:
    return [f.detail for f in scan(mail(sender, "Your request", text=text)).findings
            if f.code == "brand.impersonation"]


def test_brand_in_a_free_mailbox_address_is_a_claim() -> None:
    details = _brand_findings("Support Team <binance.support.desk@gmail.com>")
    assert details and "free mailbox's address" in details[0], details


def test_glued_brand_in_a_free_mailbox_address() -> None:
    details = _brand_findings("Helpdesk <trustwallet.helpdesk@outlook.com>")
    assert details and "free mailbox's address" in details[0], details


def test_the_same_local_part_at_a_company_domain_claims_nothing() -> None:
    details = _brand_findings("Team <binance.support.desk@company.example>")
    assert not any("free mailbox's address" in d for d in details), details


def test_weak_brand_word_in_a_private_address_outside_crypto_mail() -> None:
    assert _brand_findings("Tom <ledger.tom@gmail.com>", "Hi, the ledger for the club's accounts is attached.\n") == []
