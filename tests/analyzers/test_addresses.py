"""Cryptocurrency addresses: checksum verification with official test vectors, findings."""

from __future__ import annotations

import pytest

from coinguard.analyzers.addresses import (
    AddressDocument,
    AddressMessage,
    base58_address,
    bech32_decode,
    eip55_checksum,
    eth_address,
    find_addresses,
    segwit_address,
    segwit_decode,
)
from coinguard.config import Config, CryptoConfig
from coinguard.findings import Item
from coinguard.handlers import MessageInfo, text_item

from helpers import make_context

# BIP-173 / BIP-350 valid segwit addresses (mainnet hrp bc) with their scriptPubKey
SEGWIT_VALID = [
    ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "0014751e76e8199196d454941c45d1b3a323f1433bd6"),
    ("bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
     "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6"),
    ("BC1SW50QGDZ25J", "6002751e"),
    ("bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "5210751e76e8199196d454941c45d1b3a323"),
    ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
     "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"),
]
# BIP-173 / BIP-350 invalid addresses: wrong checksum kind, bad lengths, mixed case, padding...
SEGWIT_INVALID = [
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",  # bech32 instead of bech32m (v1)
    "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL",  # bech32 instead of bech32m (v16)
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",  # bech32m instead of bech32 (v0)
    "bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du",  # invalid program length
    "bc1rw5uspcuh",  # invalid program length
    "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",  # invalid program length for v0
    "bc1zw508d6qejxtdg4y5r3zarvaryvq37eag7",  # padding
    "bc1gmk9yu",  # empty data
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",  # one character changed
]


@pytest.mark.parametrize(("addr", "script"), SEGWIT_VALID)
def test_bip173_bip350_valid_vectors(addr: str, script: str) -> None:
    decoded = segwit_decode("bc", addr)
    assert decoded is not None
    ver, prog = decoded
    op = ver + 0x50 if ver else 0
    assert bytes([op, len(prog)]) + prog == bytes.fromhex(script)
    assert segwit_address(addr) == ("BTC", f"segwit v{ver}")


@pytest.mark.parametrize("addr", SEGWIT_INVALID)
def test_bip173_bip350_invalid_vectors(addr: str) -> None:
    assert segwit_decode("bc", addr) is None
    assert find_addresses(addr) == []


def test_bech32_mixed_case_rejected() -> None:
    assert bech32_decode("A12UEL5L") is not None  # BIP-173 valid bech32 string
    assert bech32_decode("a12UEL5L") is None


def test_eip55_vectors() -> None:
    for addr in ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
                 "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"):
        assert eip55_checksum(addr.lower()) == addr
        assert eth_address(addr) == ("ETH", "EIP-55")
    assert eth_address("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD") is None  # one case flipped
    assert eth_address("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed") == ("ETH", "unchecksummed")
    assert eth_address("0x0000000000000000000000000000000000000000") is None  # placeholder


def test_base58check() -> None:
    assert base58_address("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2") == ("BTC", "P2PKH")
    assert base58_address("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy") == ("BTC", "P2SH")
    assert base58_address("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3") is None  # checksum broken
    assert base58_address("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa") == ("BTC", "P2PKH")  # genesis coinbase
    tron = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"  # USDT-TRC20 contract
    assert base58_address(tron) == ("TRX", "address")
    assert base58_address(tron[:-1] + "u") is None
    assert base58_address("LM2WMpR1Rp6j3Sa59cMXMs1SPzj9eXpGc1") == ("LTC", "P2PKH")


def test_random_lookalike_strings_are_not_addresses() -> None:
    text = ("Order 1ABCDEFGHJKLMNPQRSTUVWXYZabcdefg ref bc1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq "
            "hash 0x1234567890abcdef1234567890abcdef12345678ff tracking TXYZ1234567890abcdefghijkmnopqrst")
    assert find_addresses(text) == []


def run_msg(body: str, subject: str = "", cfg: Config | None = None) -> dict[str, str]:
    msg = MessageInfo(subject=subject, body_text=body)
    return {f.code: f.detail for f in AddressMessage().analyze_message(msg, (), (), make_context(config=cfg,
                                                                                                 message=msg))}


def test_single_address_and_extortion_demand() -> None:
    assert set(run_msg("Donations welcome: bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")) == {"crypto.address"}
    body = ("I recorded you. Send $1500 in Bitcoin within 48 hours to my wallet: "
            "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 or the video goes to all your contacts.")
    found = run_msg(body)
    assert set(found) == {"crypto.address", "crypto.address_payment_demand"}
    korean = "48시간 이내에 0.1 BTC를 아래 주소로 입금하세요: 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"
    assert "crypto.address_payment_demand" in run_msg(korean)


def test_many_addresses() -> None:
    addrs = ["1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
             "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"]
    assert set(run_msg("\n".join(addrs))) == {"crypto.addresses_many"}
    cfg = Config(crypto=CryptoConfig(min_distinct_addresses=4))
    assert set(run_msg("\n".join(addrs), cfg=cfg)) == {"crypto.address"}
    assert set(run_msg("\n".join(addrs[:1] * 5))) == {"crypto.address"}  # the same one repeated


def test_document_text() -> None:
    parent = Item(path="invoice.pdf", name="invoice.pdf", data=b"%PDF", type="pdf")
    item = text_item(parent, "Pay 0.05 BTC to bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4 within 3 days", "pdf")
    analyzer = AddressDocument()
    assert analyzer.applies_to(item)
    found = list(analyzer.handle(item, make_context()))
    assert {f.code for f in found} == {"crypto.address", "crypto.address_payment_demand"}
    assert all(f.path == item.path for f in found)


SPACED_BC = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"


@pytest.mark.parametrize("sep", [" ", "  ", " - ", ".", "\u00a0"])
def test_spaced_out_address_is_rejoined_and_verified(sep: str) -> None:
    # technique: extortion mail writes the address character by character to dodge filters
    text = f"Send 0.12 BTC within 48 hours to {sep.join(SPACED_BC)} or the video goes public."
    (addr,) = find_addresses(text)
    assert (addr.text, addr.kind, addr.spaced) == (SPACED_BC, "segwit v0", True)
    assert text[addr.start:addr.stop].replace(sep, "") == SPACED_BC
    found = {f.code: f.detail for f in AddressMessage().analyze_message(
        MessageInfo(body_text=text), (), (), make_context())}
    # the full address (not a prefix) in the details: the reporting code exports it
    assert found["crypto.address"] == f"BTC segwit v0 {SPACED_BC} (written spaced out)"
    assert SPACED_BC in found["crypto.address_payment_demand"]


def test_spaced_out_strings_need_a_valid_checksum() -> None:
    broken = SPACED_BC[:-1] + ("p" if SPACED_BC[-1] != "p" else "q")
    assert find_addresses("pay to " + " ".join(broken)) == []
    assert find_addresses(" ".join("abcdefghijklmnopqrstuvwxyz0123456789" * 3)) == []
    # a spelled-out word list or an acronym run is no address
    assert find_addresses("T h i s   i s   a   t e s t   o f   l e t t e r   s p a c i n g   1 2 3 4 5") == []


def test_spaced_out_search_is_bounded() -> None:
    import time

    text = ("a b c d e f g h i j k l m n o p q r s t u v w x y z 1 2 3 4 5 6 7 8 9 " * 20000)[:1_000_000]
    started = time.monotonic()
    assert find_addresses(text) == []
    assert time.monotonic() - started < 5.0


@pytest.mark.parametrize("addr", [SPACED_BC, "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
                                  "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"])
def test_address_cut_into_groups_is_rejoined(addr: str) -> None:
    grouped = " ".join(addr[i:i + 4] for i in range(0, len(addr), 4))
    text = f"Transfer 500 USD in bitcoin within 2 days to {grouped} . After that the files are deleted."
    (found,) = find_addresses(text)
    assert (found.text, found.spaced, text[found.start:found.stop]) == (addr, True, grouped)
    assert "crypto.address_payment_demand" in run_msg(text)
    # one group wrong: no checksum, no address
    assert find_addresses(text.replace(grouped[5:9], grouped[5:9][::-1])) == []


@pytest.mark.parametrize("size", [14, 17, 21])
def test_address_broken_over_lines_of_long_groups_is_rejoined(size: int) -> None:
    """An extortion breaks the address over two or three lines (``<br>`` in HTML) of 14 to 21 characters."""
    addr = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
    lines = "\n".join(addr[i:i + size] for i in range(0, len(addr), size))
    (found,) = find_addresses(f"Pay $1,200 to the wallet below within 48 hours:\n{lines}\nThen I delete it.")
    assert (found.text, found.spaced) == (addr, True)
    assert find_addresses(f"Pay to:\n{lines.replace(addr[3:6], addr[3:6][::-1])}\n") == []


def test_numbers_and_words_in_prose_are_not_grouped_addresses() -> None:
    text = ("Call 1 800 555 0199 today. Page 1 of 3: Monday the 3 Tuesday Mark Tom Lisa met at 1 pm. "
            "Order 1A2B 3C4D 5E6F 7G8H 9J1K 2L3M 4N5P was shipped. ") * 50
    assert find_addresses(text) == []


@pytest.mark.parametrize("demand", [
    "Te grabé con tu cámara. Envía 500 USD en bitcoin a esta dirección en 48 horas: {addr}",
    "Je vous ai filmé. Envoyez 500 € en bitcoin à cette adresse : {addr}",
    "Ich habe Sie gefilmt. Überweisen Sie 500 € in Bitcoin an diese Adresse: {addr}",
    "Ti ho registrato. Invia 500 € in bitcoin a questo indirizzo entro 48 ore: {addr}",
    "Eu gravei você. Envie 500 USD em bitcoin para este endereço: {addr}",
    "Ik heb je gefilmd. Stuur 500 € in bitcoin naar dit adres: {addr}",
    "Я записал вас. Переведите 500 $ в биткоинах на этот адрес за 48 часов: {addr}",
    "48時間以内に下記のアドレスへ0.1 BTCを送金してください: {addr}",
])
def test_extortion_demand_in_the_campaigns_languages(demand: str) -> None:
    found = run_msg(demand.format(addr="1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"))
    assert "crypto.address_payment_demand" in found, demand


def test_an_address_in_a_note_without_a_demand_is_no_demand() -> None:
    # a donation address with a code listing and German numbers ('Zahlen') but no amount is no demand
    body = "Spenden: 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2. Die Zahlen des Quartals stehen im Bericht. Vielen Dank!"
    assert "crypto.address_payment_demand" not in run_msg(body)


def run_scored(body: str) -> dict[str, float | None]:
    msg = MessageInfo(body_text=body)
    return {f.code: f.score for f in AddressMessage().analyze_message(msg, (), (), make_context(message=msg))}


@pytest.mark.parametrize(("body", "demand"), [
    ("Invoice 118: EUR 3,400.00, due within 14 days. Please pay by bank transfer to IBAN NL91 ABNA 0417 1643 00 "
     "or, as agreed, 0.034 BTC to our wallet {addr}.", False),
    ("Total: $120. Pay by credit card, PayPal or 0.0012 BTC to {addr}. Thanks for your order!", False),
    ("Rechnung 77: 450 EUR, zahlbar in 30 Tagen per Überweisung oder 0,006 BTC an {addr}.", False),
    ("Support us: donate by card at https://x.example/give, by bank transfer, or send 0.001 BTC to {addr}.", False),
    # pressed: a deadline or threats keep the demand whatever means are offered
    ("I filmed you. Pay by bank transfer or send 0.05 BTC to {addr} within 48 hours, or your contacts get it.", True),
    ("Pay 0.2 BTC to {addr} within 24 hours. Wire transfers are not accepted.", True),
])
def test_a_coin_offered_beside_ordinary_means_is_no_demand_unless_pressed(body: str, demand: bool) -> None:
    """An invoice, a shop or a donation page offers the coin among a bank account, a card, PayPal: how to pay."""
    found = run_scored(body.format(addr="1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"))
    assert "crypto.address" in found, found
    # (a pressed demand scores the catalogue's 6: the finding's own score is None)
    assert ("crypto.address_payment_demand" in found and found["crypto.address_payment_demand"] is None) == demand


def test_a_demand_made_to_the_reader_without_ordinary_means_stays_informational() -> None:
    """A colleague's "please send 0.015 BTC to bc1q..." keeps the unpressed grade (it tags only with more)."""
    found = run_scored("Hi Ana, invoice 42: please send 0.015 BTC to bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4.")
    assert found.get("crypto.address_payment_demand") == 2.5


@pytest.mark.parametrize(("body", "own"), [
    ("Payout of 0.00231 BTC sent to your wallet {addr}. Next payout at 0.001 BTC.", True),
    ("Your withdrawal of 0.25 BTC has been sent to your address: {addr}", True),
    ("Mining rewards credited to your payout address {addr} today.", True),
    # an imperative: the scam's deposit address dressed as the reader's
    ("Send 0.1 BTC to your wallet {addr} to activate withdrawals within 24 hours.", False),
    ("Your personal deposit address: {addr}. Deposit 0.05 BTC within 48 hours to unlock your balance.", False),
    ("Payout of 0.5 BTC ready. Pay the 0.01 BTC fee to {addr} within 12 hours.", False),
])
def test_an_address_reported_sent_to_is_the_readers_own(body: str, own: bool) -> None:
    """A pool or an exchange reporting coins sent to the reader's own address: information, no demand."""
    found = run_scored(body.format(addr="bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"))
    assert (found == {"crypto.address": 0.5}) == own, found
    assert own or (found.get("crypto.address") is None and "crypto.address_payment_demand" in found), found


def test_grouped_addresses_stop_joining_where_no_address_can_follow(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pruning the groups at the first character no address allows finds exactly what joining every
    group up to the longest address length finds (the reference: the same search without pruning)."""
    import random
    import re

    from coinguard.analyzers import addresses

    rng = random.Random(5)
    b58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    pieces = ["bc1q ar0s rrr7 xfkv y5l6 43ly dnw9 re59 gtzz wf5m dq", "1BvB MSEY stWe tqTF n5Au 4m4G FG7x JaNV N2",
              "0x71C7 656E C7ab 88b0 98de fB75 1B74 01B5 f6d8 976F", "3J98 t1Wp EZ73 CNmQ viec rnyi WrnqRhWNLy",
              "LTC1 abc", "1 234", "3.5", "12 0O Il", "T9yD 14Nj 9j7x AB4d bbt3 1VeG EF4p ZzA5 hW"]
    texts = [" ".join(rng.choice(pieces + ["".join(rng.choice(b58 + "0Il ") for _ in range(rng.randint(1, 9)))
                                           for _ in range(3)]) for _ in range(rng.randint(1, 8)))
             for _ in range(1500)]
    texts += ["  ".join(f"{rng.randint(1, 399)} {rng.randint(0, 99999)}" for _ in range(400))]  # a sheet of figures
    pruned = [addresses.find_grouped(t) for t in texts]
    monkeypatch.setattr(addresses, "_VIABLE", re.compile(r".*", re.S))
    assert pruned == [addresses.find_grouped(t) for t in texts]
    assert sum(map(len, pruned)) >= 100  # the texts did hold grouped addresses


def test_grouped_starts_looked_at_are_those_that_can_start_an_address(monkeypatch: pytest.MonkeyPatch) -> None:
    """find_grouped looks only at word starts where an address's first group can begin ("Lorem" is none: an L, M
    or T needs a digit in its word); it finds what looking at every word starting with 1, 3, L, M, T finds."""
    import random
    import re

    from coinguard.analyzers import addresses

    rng = random.Random(8)
    pieces = ["bc1q ar0s rrr7 xfkv y5l6 43ly dnw9 re59 gtzz wf5m dq", "1BvB MSEY stWe tqTF n5Au 4m4G FG7x JaNV N2",
              "T9yD 14Nj 9j7x AB4d bbt3 1VeG EF4p ZzA5 hW", "LTC1 abc",
              "LM2W MpR1 Rp6j 3Sa5 9cMX Ms1S Pzj9 eXpG c1", "1BvB MSEY stWe tqTF n5Au 4m4G Fg7x JaNV N2",
              "Lorem", "Mark", "Tom", "M4rk", "L 1", "T-9",
              "MSEY stWe", "Lx9 a", "3J98 t1Wp", "0x71C7 656E", ",", ".", "ipsum", "LTC", "ltc1q"]
    texts = [rng.choice([" ", "", "-", ". "]).join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
             for _ in range(3000)]
    found = [addresses.find_grouped(t) for t in texts]
    every_start = re.compile(r"(?<![0-9A-Za-z])(?:bc1|BC1|ltc1|LTC1|0x|[13LMT])")
    monkeypatch.setattr(addresses, "_group_firsts",
                        lambda text, _bech=None: (m.start() for m in every_start.finditer(text)))
    assert found == [addresses.find_grouped(t) for t in texts]
    assert sum(map(len, found)) >= 100
    assert {a.coin for addrs in found for a in addrs} >= {"BTC", "LTC"}  # an L start and a 1 start are among them


def test_spaced_runs_are_looked_for_only_where_their_shape_is(monkeypatch: pytest.MonkeyPatch) -> None:
    """find_spaced skips the run search in ASCII text whose shape has no run of single characters; it finds what
    the search on every text finds (spaced addresses, near misses, separators of every length)."""
    import random

    from coinguard.analyzers import addresses

    rng = random.Random(12)
    addrs = [SPACED_BC, "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"]
    seps = [" ", "  ", "   ", "    ", ".", "-", "_", "|", ",", "*", "\t", " . ", "\u00a0", "/", "", "x"]
    texts = []
    for _ in range(1500):
        addr = rng.choice(addrs)[: rng.choice([24, 25, 26, 40, 62])]
        sep = [rng.choice(seps) for _ in addr]
        if rng.random() < 0.6:
            sep = [sep[0]] * len(addr)
        texts.append(rng.choice(["", "pay to ", "Lorem ipsum a b c d "]) + "".join(c + g for c, g in zip(addr, sep,
                                                                                                        strict=True)))
    texts += ["a b c d e f g h i j k l m n o p q r s t u v w x y z", " ".join("0123456789abcdefghijklmnopqrstuvwxyz")]
    found = [addresses.find_spaced(t) for t in texts]
    assert sum(not addresses._may_be_spaced(t) for t in texts) > 300  # the shortcut was taken
    monkeypatch.setattr(addresses, "_may_be_spaced", lambda text: True)
    assert found == [addresses.find_spaced(t) for t in texts]
    assert sum(map(len, found)) >= 100


def test_address_findings_leave_ascii_text_untranslated() -> None:
    """address_findings skips the invisible-character table on ASCII text: the table maps no ASCII character, and
    a text made ASCII by dropping invisible characters is its own NFKC form (same findings as the full fold)."""
    import unicodedata

    from coinguard.analyzers import addresses
    from coinguard.analyzers.extortion_common import INVISIBLE

    assert not any(isinstance(k, int) and k < 128 for k in INVISIBLE)
    addr = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
    zw = "\u200b"
    for text in (f"send 0.5 btc to {addr} within 24 hours", f"send to {zw.join(addr)} now", f"pay {addr}{zw}"):
        folded = text.translate(INVISIBLE)
        folded = folded if folded.isascii() else unicodedata.normalize("NFKC", folded)
        got = list(addresses.address_findings(text, 3))
        assert got and got == list(addresses.address_findings(folded, 3)), text


XMR_DONATION = ("44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A")


def test_monero_address_is_found_by_its_checksum() -> None:
    """Technique: the extortion paid in Monero; Monero's block base58 and Keccak-256 checksum (monero_address)."""
    from coinguard.analyzers.addresses import monero_address

    assert monero_address(XMR_DONATION) == ("XMR", "standard")
    assert monero_address(XMR_DONATION[:-1] + ("A" if XMR_DONATION[-1] != "A" else "B")) is None
    assert monero_address("4" + "1" * 94) is None
    (found,) = find_addresses(f"Send 8 XMR to {XMR_DONATION} within 3 days.")
    assert (found.coin, found.kind, found.text) == ("XMR", "standard", XMR_DONATION)
    assert "crypto.address_payment_demand" in run_msg(f"I recorded you. Send 8 XMR to {XMR_DONATION} within 3 days.")
    # a 95-character run of base58 that starts with 4 but holds no checksum is no address
    assert find_addresses("id 4" + "abcdefghij" * 9 + "abcd end") == []


# ---------------------------------------------------------------------------- blind batch O's techniques

#: The cashaddr specification's examples (P2PKH, P2SH upper case).
CASHADDR = ("bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a",
            "BITCOINCASH:PPM2QSZNHKS23Z7629MMS6S4CWEF74VCWVN0H829PQ")


def test_bitcoin_cash_cashaddr_is_found_by_its_checksum() -> None:
    """Technique: the extortion paid in Bitcoin Cash, in its cashaddr form (the prefix optional)."""
    from coinguard.analyzers.addresses import cashaddr_address

    assert cashaddr_address(CASHADDR[0].split(":")[1]) == ("BCH", "P2PKH")
    assert cashaddr_address(CASHADDR[1].split(":")[1]) == ("BCH", "P2SH")
    assert cashaddr_address(CASHADDR[0].split(":")[1][:-1] + "b") is None  # one character changed
    assert cashaddr_address("qPm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a") is None  # mixed case
    for addr in CASHADDR:
        (found,) = find_addresses(f"Send $900 in Bitcoin Cash to {addr} now.")
        assert found.coin == "BCH" and found.text == addr.split(":")[1]
    assert find_addresses("ref q" + "qpzry9x8gf" * 4 + "q end") == []  # the charset, no checksum


@pytest.mark.parametrize(("body", "demand"), [
    ("I have your video from the webcam.\n0.08 to {addr}\n48h or your contacts see it.", True),
    ("Your account is hacked. I have your photos. 10 LTC to {addr} in 2 days.", True),
    # unpressed, or a receipt's fields on their own lines: no demand
    ("Notes from the call.\n0.08 to {addr}\nThat was the test transfer.", False),
    ("Withdrawal confirmed.\nAmount: 0.05 BTC\nTo: {addr}\nContact support within 24 hours if this was not you.",
     False),
])
def test_the_terse_demand_is_one_where_it_is_pressed(body: str, demand: bool) -> None:
    """Technique: the short extortion's "0.08 to <address>" (no verb, often no coin), a demand only where threats
    or a short deadline press it."""
    found = run_scored(body.format(addr="bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"))
    assert ("crypto.address_payment_demand" in found) == demand, found


def test_amounts_and_deadlines_in_the_campaigns_languages_make_the_demand() -> None:
    """The extortion vocabularies' money and hours ("4000 zł", "48 godzin") beside the demand verb."""
    found = run_scored("Nagrałem cię. Wyślij równowartość 4000 zł w ETH na adres: "
                       "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\nMasz 48 godzin.")
    assert found.get("crypto.address_payment_demand", 0) is None, found  # pressed: the catalogue's 6
