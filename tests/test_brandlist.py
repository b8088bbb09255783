"""The brand table (coinguard.brandlist): the shipped table and domain ownership."""

from __future__ import annotations

from coinguard.brandlist import load_brands
from coinguard.config import CryptoConfig

TABLE = load_brands(CryptoConfig().brands_file)


def test_default_table() -> None:
    ids = {b.id for b in TABLE.brands}
    assert {"upbit", "bithumb", "coinone", "korbit", "binance", "coinbase", "metamask", "ledger", "trezor"} <= ids
    assert TABLE.owner("mail.upbit.com").id == "upbit"
    assert TABLE.owner("upbit.com.evil.xyz") is None
