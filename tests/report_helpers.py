"""Crafted lures for the reporting tests (tests/report/), scanned offline.

The acceptance campaign: three lures with one shared attachment (a harmless script that
only names the technique), two sender domains and one EIP-55 wallet address, to three
recipients, from three sending hosts.  Two unrelated messages sit beside it: a different
crew (own attachment, sender, host) and a newsletter-like message that only shares a
benign domain (google.com) with the lures.
"""

from __future__ import annotations

from pathlib import Path

from coinguard.config import Config, load_config

from helpers import make_message

WALLET = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
OTHER_WALLET = "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"
#: Names the technique only: a WScript shell and an encoded PowerShell command that does nothing.
LURE_SCRIPT = (b'var sh = new ActiveXObject("WScript.Shell");\r\n'
               b'sh.Run("powershell -nop -w hidden -enc SQBFAFgA");\r\n')
OTHER_SCRIPT = b'Set o = CreateObject("WScript.Shell")\r\no.Run "cmd /c echo harmless"\r\n'

OFFLINE = '[dkim]\nnameservers = ["127.0.0.1"]\ndns_port = 9\ndns_timeout_s = 0.3\n'


def received(helo: str, ip: str, by: str = "mx.victim.example") -> tuple[str, str]:
    return ("Received", f"from {helo} ({helo} [{ip}]) by {by} (Postfix) with ESMTPS id 4Ab{ip[-1]}Cd;"
                        f" Tue, 24 Nov 2026 10:00:01 +0000")


def lure(n: int, sender: str, helo: str, ip: str, rcpt: str) -> bytes:
    body = (f"Dear customer #{n},\nYour Upbit wallet is locked. To unlock your withdrawal verify your KYC at "
            f"https://upbit-secure-kyc.com/verify?case={n} and send 0.05 ETH to {WALLET} within 24 hours.\n")
    html = ("<p>Verify <a href='https://upbit-secure-kyc.com/login'>here</a>"
            "<img src='https://www.google.com/images/logo.png'></p>")
    return make_message(
        subject=f"[Upbit] 출금 제한 안내 #{n} - wallet verification", sender=f"Upbit Support <{sender}>", to=rcpt,
        body=body, html=html, attachments=[("wallet_recovery.pdf.js", LURE_SCRIPT, "application/octet-stream")],
        headers=[received(helo, ip), ("Received", "from [10.9.9.9] (helo=x) by relay.invalid; "
                                                  "Tue, 24 Nov 2026 09:00:00 +0000")],
    )


def offline_config(tmp_path: Path, extra: str = "") -> Config:
    """A configuration file in ``tmp_path`` (DNS to a closed loopback port, quarantine under it), loaded."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "coinguard.toml"
    path.write_text(OFFLINE + f'[quarantine]\npath = "{tmp_path / "q"}"\n' + extra, encoding="utf-8")
    return load_config(path)


MESSAGES: dict[str, tuple[bytes, str]] = {
    "lure1": (lure(1, "support@upbit-secure-kyc.com", "mail.upbit-secure-kyc.com", "203.0.113.7",
                   "alice@victim.example"), "alice@victim.example"),
    "lure2": (lure(2, "notice@upbit-secure-kyc.com", "mx2.upbit-secure-kyc.com", "203.0.113.8",
                   "bob@victim.example"), "bob@victim.example"),
    "lure3": (lure(3, "help@bithumb-wallet-verify.net", "smtp.bithumb-wallet-verify.net", "198.51.100.20",
                   "carol@victim.example"), "carol@victim.example"),
    "other": (make_message(
        subject="Invoice overdue", sender="Billing <billing@fast-invoices.example>", to="dave@victim.example",
        body=f"Pay the invoice to {OTHER_WALLET} today.\nhttps://www.google.com/maps\n",
        attachments=[("invoice.vbs", OTHER_SCRIPT, "application/octet-stream")],
        headers=[received("out.fast-invoices.example", "192.0.2.55")]), "dave@victim.example"),
    "newsletter": (make_message(
        subject="Weekly news", sender="News <news@weekly-letter.example>", to="erin@victim.example",
        body="Read more at https://www.google.com/search?q=news and https://www.google.com/maps\n",
        headers=[received("mta.weekly-letter.example", "192.0.2.99")]), "erin@victim.example"),
}
