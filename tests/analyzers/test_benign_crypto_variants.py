"""A blind second set of benign crypto-topic mail, against lures that resemble each of them (issue 11).

Written before the changes it measures, without looking at the lure list or the anatomy's vocabularies:
each benign mail is the everyday notice of its kind (a tax advisor's reminder, an exchange's security notice
linking to its own domain, a firmware release note, a governance newsletter, payroll in USDC, a donation
footer with an address, a conference priced in ETH, a meetup, a price-alert digest, a mining rig for sale,
a KYC confirmation that passes DMARC, a node's monitoring alert, ...), and each lure the scam that borrows
its look (a tax refund paid in BTC, a firmware "update" asking for the seed, a governance "claim", payroll
asking to "confirm your wallet", a donation "match" ...).  Every benign mail must pass clean, every lure be
tagged.  Nothing here is copied from a sample.
"""

from __future__ import annotations

import pytest

from coinguard.findings import Verdict, VerdictKind
from coinguard.scan import scan_message
from test_benign_crypto_mail import signed, signing_context

from helpers import make_message

#: The exchange whose DKIM key and DMARC record the test resolver serves.
SIGNING_DOMAIN = b"harbourcoin.example"

BTC = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
BTC_LEGACY = "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"
ETH = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
USDT_TRON = "TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL"


def scan(raw: bytes) -> Verdict:
    return scan_message(raw, signing_context((SIGNING_DOMAIN,)))


def _signed(raw: bytes) -> bytes:
    return signed(raw, SIGNING_DOMAIN)


def _mail(sender: str, subject: str, body: str, html: str | None = None) -> bytes:
    return make_message(sender=sender, subject=subject, body=body, html=html)


def _kyc_done() -> bytes:
    return _signed(_mail(
        "HarbourCoin <no-reply@harbourcoin.example>", "Identity verification complete",
        "Hi Maria,\n\nyour identity verification is complete and your account is now at Level 2. Your daily "
        "withdrawal limit is raised to 5 BTC, and bank withdrawals in EUR are enabled. Deposits credited before "
        "today are not affected.\n\nNo action is needed. You can review your limits in Settings > Account at "
        "https://www.harbourcoin.example/settings/limits\n\nThe HarbourCoin team\n"))


BENIGN: dict[str, object] = {
    "a crypto tax advisor's reminder": lambda: _mail(
        "Kerr & Lowe Tax <office@kerrlowe-tax.example>", "Reminder: crypto disposals for your 2026 return",
        "Dear client,\n\nthe filing deadline for your 2026 return is 31 January. If you sold, swapped or spent "
        "bitcoin, ether or stablecoins during the year, please send us the transaction export from each exchange "
        "and wallet you used (CSV is fine). Staking rewards count as income when you receive them.\n\nOur fee for "
        "a return with crypto schedules is unchanged at EUR 180. Book a call at "
        "https://kerrlowe-tax.example/booking if anything is unclear.\n\nKind regards,\nHelen Kerr\n"),
    "an exchange's security notice linking to its own domain": lambda: _mail(
        "Pelican Exchange <security@pelican-exchange.example>", "New sign-in to your Pelican account",
        "We noticed a new sign-in to your account from Firefox on Windows in Lisbon, Portugal on 30 Nov 2026 at "
        "14:02 UTC.\n\nIf this was you, there is nothing to do. If it was not, change your password and review "
        "your active sessions at https://www.pelican-exchange.example/security/sessions - withdrawals from your "
        "account are paused for 24 hours after a password change.\n\nPelican will never ask for your password or "
        "2FA codes by email.\n\nPelican Security\n",
        '<html><body><p>We noticed a new sign-in to your account from Firefox on Windows in Lisbon.</p><p>If it '
        'was not you, <a href="https://www.pelican-exchange.example/security/sessions">review your sessions</a>.'
        '</p></body></html>'),
    "a hardware-wallet firmware release note": lambda: _mail(
        "Vaultkey <news@vaultkey.example>", "Vaultkey firmware 3.4 is out",
        "Firmware 3.4 for the Vaultkey One and Vaultkey Mini is now available in the Vaultkey Desktop app.\n\n"
        "What's new:\n- Taproot address display for Bitcoin accounts\n- faster signing of Ethereum transactions "
        "with many outputs\n- a fix for the screen staying dark after a PIN change\n\nTo install it, connect your "
        "device and open Desktop > Device > Firmware. Your accounts and recovery phrase are not touched by the "
        "update; Vaultkey never asks you to type your recovery phrase into a computer.\n\nRelease notes: "
        "https://vaultkey.example/releases/3.4\n"),
    "a DeFi protocol's governance vote newsletter": lambda: _mail(
        "Lumen DAO <gov@lumendao.example>", "Governance digest: proposals 41-43",
        "Three proposals are up for a vote this week.\n\nLIP-41 lowers the stability fee on ETH vaults from 3.5% "
        "to 3%. LIP-42 adds wstETH as collateral with a 75% loan-to-value ratio. LIP-43 moves 200,000 USDC from "
        "the treasury to the audit budget.\n\nVoting closes on 7 December at 16:00 UTC. Delegates and token "
        "holders can read the forum threads and vote at https://vote.lumendao.example. Last month's turnout was "
        "11% of the delegated supply.\n\nLumen DAO governance team\n"),
    "a payroll in USDC notice": lambda: _mail(
        "Northwind Payroll <payroll@northwind.example>", "Your November pay",
        "Hi Sam,\n\nyour November salary of 4,250.00 USDC was paid today to the wallet address on file in the HR "
        "portal (ending 5mdq). Tax withheld: 1,040.00 USDC. Your payslip is in the portal under Documents.\n\nIf "
        "you want to change your payout wallet for December, update it in the portal before 20 December.\n\n"
        "People Ops\n"),
    "a donation page footer with a BTC address": lambda: _mail(
        "Free Radio Archive <hello@freeradio.example>", "What we digitised in November",
        "This month volunteers digitised 430 hours of 1970s community radio, including the full run of the "
        "Harbour Street Sessions. Listen at https://freeradio.example/new\n\n--\nThe archive runs on donations. "
        f"Give by card at https://freeradio.example/give, by bank transfer, or in bitcoin: {BTC}. Thank you to "
        "everyone who already does.\n"),
    "a conference invite with a ticket price in ETH": lambda: _mail(
        "EthMesa <tickets@ethmesa.example>", "EthMesa 2027: early-bird tickets",
        "EthMesa returns to Valencia on 12-14 March 2027 with three days of talks on rollups, account abstraction "
        "and MEV research.\n\nEarly-bird tickets cost 0.05 ETH or EUR 150 until 31 December; students attend "
        "free. Buy tickets at https://ethmesa.example/tickets\n\nSee you in Valencia,\nThe EthMesa crew\n"),
    "a Bitcoin meetup": lambda: _mail(
        "Bristol Bitcoiners <meetup@bristolbtc.example>", "Bitcoin meetup, Thursday 10 Dec",
        "Hi everyone,\n\nour December meetup is on Thursday at The Old Forge, 7pm. Ana will talk about running a "
        "Lightning node at home, and we'll have a hands-on table for multisig with hardware wallets. Bring your "
        "own device if you want to try, but never bring your seed backup.\n\nThe first drink is on the sponsor. "
        "RSVP on the forum so we know how many chairs to set.\n\nCheers,\nTom\n"),
    "a price-alert digest": lambda: _mail(
        "CoinTicker Alerts <alerts@cointicker.example>", "Your daily price alerts",
        "Alerts triggered in the last 24 hours:\n\nBTC crossed above $98,000 (your alert at $97,500)\nETH fell "
        "below $3,400 (your alert at $3,450)\nSOL rose 8.2% in 24 hours\n\nManage your alerts or change the "
        "digest time at https://cointicker.example/alerts\n"),
    "a mining rig sale listing": lambda: _mail(
        "Marek <marek.h@mining-hobby.example>", "For sale: 2x Antminer S19j Pro",
        "Hi all,\n\nI'm selling two Antminer S19j Pro units (100 TH/s each), 14 months old, always run in a "
        "cooled room, with their PSUs. Asking EUR 1,100 each or 0.012 BTC each, pickup in Brno or shipping at "
        "cost. They mined about 0.0009 BTC a day each at my electricity price.\n\nPhotos and hash-rate "
        "screenshots on request.\n\nMarek\n"),
    "a KYC-completed confirmation from an exchange with DMARC pass": _kyc_done,
    "a node operator's monitoring alert": lambda: _mail(
        "NodeWatch <alerts@nodewatch.example>", "[WARN] validator-03 missed 12 attestations",
        "Validator validator-03 (index 412883) missed 12 attestations in the last hour. Current balance: 32.0041 "
        "ETH. Effectiveness dropped to 91%.\n\nLikely cause: the beacon node is 3 slots behind head. Check the "
        "node's peers and disk latency. This alert clears itself after 3 epochs without misses.\n\n"
        "Dashboard: https://nodewatch.example/v/412883\n"),
    "an exchange's monthly statement with amounts": lambda: _mail(
        "Pelican Exchange <statements@pelican-exchange.example>", "Your November statement",
        "Your November statement is ready. Opening balance 0.8120 BTC; deposits 0.2000 BTC; withdrawals 0.1500 "
        "BTC; trading fees 0.0004 BTC; closing balance 0.8616 BTC.\n\nDownload the PDF from "
        "https://www.pelican-exchange.example/statements\n"),
    "a friend paying back in bitcoin": lambda: _mail(
        "Ines <ines@friends.example>", "the concert tickets",
        "Hey! I sent you 0.0015 BTC for my concert ticket, to the address you gave me last week. Let me know when "
        "it shows up. See you Saturday!\nInes\n"),
}

LURES: dict[str, object] = {
    "a fake tax refund paid in BTC": lambda: _mail(
        "Tax Refund Office <refunds@tax-refund-notice.example>", "You are owed a crypto tax refund",
        "Dear taxpayer,\n\nafter reviewing your 2025 crypto filings we found you overpaid. A refund of 0.084 BTC "
        "has been approved in your name. To receive it, confirm your wallet within 48 hours at "
        "https://tax-refund-notice.example/claim - unclaimed refunds are cancelled.\n\nRefund department\n"),
    "a fake firmware update asking for the seed": lambda: _mail(
        "Vaultkey Support <support@vaultkey-update.example>", "Critical firmware update required",
        "A critical vulnerability was found in your Vaultkey firmware. Your funds are at risk until you update. "
        "Download the emergency firmware at https://vaultkey-update.example/fw and restore your device by entering "
        "your 24-word recovery phrase. Devices not updated within 24 hours will be locked.\n"),
    "a fake governance claim": lambda: _mail(
        "Lumen DAO <gov@lumen-dao-rewards.example>", "Governance rewards: claim your LUM",
        "As an active voter in Lumen DAO, you are eligible for a governance reward of 2,500 LUM (about $4,100). "
        "Connect your wallet at https://lumen-dao-rewards.example to claim before the snapshot closes tonight. "
        "Unclaimed rewards return to the treasury.\n"),
    "a fake payroll asking to confirm your wallet": lambda: _mail(
        "Payroll Team <payroll@hr-portal-pay.example>", "Action required: confirm your USDC payroll wallet",
        "Your December salary of 4,250 USDC is on hold because your payout wallet could not be verified. Confirm "
        "your wallet at https://hr-portal-pay.example/verify within 24 hours, or the payment will be returned and "
        "delayed to next month.\n"),
    "a fake donation match": lambda: _mail(
        "Giving Week <match@givingweek-crypto.example>", "Your donation will be matched 2x today",
        "Good news: an anonymous donor will match every bitcoin donation made today, two for one. Send any amount "
        f"between 0.01 and 2 BTC to {BTC_LEGACY} and we return double to your wallet within the hour. The match "
        "ends at midnight.\n"),
    "a fake conference ticket refund": lambda: _mail(
        "EthMesa Tickets <tickets@ethmesa-refunds.example>", "Your ticket refund of 0.05 ETH",
        "The event was rescheduled. Your ticket refund of 0.05 ETH is ready. To release it, connect your wallet "
        "and approve the refund transaction at https://ethmesa-refunds.example/refund within 48 hours.\n"),
    "a fake meetup giveaway": lambda: _mail(
        "Bitcoin Meetup <events@btc-meetup-gift.example>", "Meetup giveaway: you won 0.25 BTC",
        "Congratulations! Your name was drawn in our meetup giveaway and you won 0.25 BTC. To claim it, pay the "
        f"network fee of 0.002 BTC to {BTC} within 12 hours; the prize is sent right after.\n"),
    "a fake price alert with a bonus": lambda: _mail(
        "CoinTicker <alerts@cointicker-bonus.example>", "BTC alert: 0.1 BTC bonus credited",
        "Bitcoin just crossed $98,000! To celebrate, 0.1 BTC has been credited to your CoinTicker balance. "
        "Withdraw it before it expires in 24 hours: https://cointicker-bonus.example/withdraw\n"),
    "a fake mining contract balance": lambda: _mail(
        "HashCloud <support@hashcloud-mining.example>", "Your mining balance: 1.47 BTC",
        "Your cloud-mining contract has earned 1.47 BTC. Your balance is ready for withdrawal, but a one-time "
        "activation fee of $290 must be paid first. Log in at https://hashcloud-mining.example within 3 days or "
        "the balance is forfeited.\n"),
    "a fake KYC block": lambda: _mail(
        "HarbourCoin Compliance <kyc@harbourcoin-verify.example>", "Account restricted: verify your identity",
        "Your HarbourCoin account has been restricted and withdrawals are frozen. Complete identity verification "
        "within 24 hours at https://harbourcoin-verify.example/kyc to avoid permanent suspension. You will need to "
        "confirm your wallet by entering your recovery phrase.\n"),
    "a fake validator slashing alert": lambda: _mail(
        "NodeWatch Security <alerts@nodewatch-secure.example>", "[CRITICAL] your validator will be slashed",
        "Your validator is about to be slashed for double signing. To protect your 32 ETH stake, import your "
        "validator mnemonic into our emergency tool at https://nodewatch-secure.example/rescue within 2 hours.\n"),
    "a sextortion paid in USDT": lambda: _mail(
        "x <x@mailer.example>", "I know what you did",
        "I got into your laptop months ago and recorded you through the camera while you were on adult sites. "
        f"Send 900 USDT (TRC20) to {USDT_TRON} within 48 hours or the video goes to all your contacts. Tell no "
        "one.\n"),
    "a fake statement with a pending withdrawal": lambda: _mail(
        "Pelican Exchange <statements@pelican-exch.example>", "Pending withdrawal of 0.86 BTC",
        "A withdrawal of 0.86 BTC to an external wallet is pending. If you did not request it, cancel it now at "
        "https://pelican-exch.example/cancel - after 30 minutes it cannot be reversed.\n"),
}


#: Benign mail still tagged by evidence outside this work's files (left to their owners, reported).
#: ("a price-alert digest" passes since a whole word of a compound brand replaced -- CoinTracker's Tracker ->
#: ticker -- is no typo-squat: brands._word_replaced.)
TAGGED_BY_OTHERS: dict[str, str] = {}


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=pytest.mark.xfail(reason=TAGGED_BY_OTHERS[n], strict=True)) if n in TAGGED_BY_OTHERS
    else n for n in BENIGN], ids=list(BENIGN))
def test_benign_crypto_mail_is_clean(name: str) -> None:
    v = scan(BENIGN[name]())  # type: ignore[operator]
    assert v.verdict is VerdictKind.CLEAN, (name, v.score, [(f.code, f.score, f.detail[:80]) for f in v.findings
                                                           if f.score])


@pytest.mark.parametrize("name", list(LURES), ids=list(LURES))
def test_look_alike_lure_is_tagged(name: str) -> None:
    v = scan(LURES[name]())  # type: ignore[operator]
    assert v.verdict in (VerdictKind.SUSPICIOUS, VerdictKind.MALICIOUS), (name, v.score, [
        (f.code, f.score) for f in v.findings if f.score])


def test_kyc_confirmation_passes_dmarc() -> None:
    assert "dmarc.pass" in {f.code for f in scan(_kyc_done()).findings}


def test_the_set_is_large_enough() -> None:
    assert len(BENIGN) >= 12 and len(LURES) >= 12
