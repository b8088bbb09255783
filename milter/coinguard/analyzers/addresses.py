"""Cryptocurrency addresses, checksum-verified, in the body and in document text.

Random strings do not count: every candidate is decoded and its checksum verified.

- Base58Check (double SHA-256 checksum, 25 bytes): Bitcoin P2PKH ``1...`` (version 0x00) and
  P2SH ``3...`` (0x05), Litecoin ``L...`` (0x30) and ``M...`` (0x32), Tron ``T...`` (0x41).
- bech32 / bech32m segwit addresses (BIP-173 / BIP-350) with hrp ``bc`` (Bitcoin) or ``ltc`` (Litecoin):
  witness version 0 must use bech32, versions 1-16 bech32m, program lengths checked.
- Bitcoin Cash cashaddr (``bitcoincash:q...``/``p...``, 42 characters, the prefix optional): its 40-bit BCH
  checksum over the implied ``bitcoincash`` prefix, version byte P2PKH or P2SH.
- Ethereum ``0x`` + 40 hex digits: mixed case must pass EIP-55 (Keccak-256); all-lower/upper case
  carries no checksum and counts as a weaker, unverified address.

Addresses written apart to dodge filters, character by character (``b c 1 q ...``) or in groups
(``bc1q ar0s rrr7 ...``), are re-joined and held to the same checksums.

Findings: one or two addresses (``crypto.address``), many distinct ones (``crypto.addresses_many``),
an address next to a payment demand with an amount or deadline (``crypto.address_payment_demand``:
sextortion / ransom mail).  What is no demand: the coin offered beside ordinary means of payment (an
invoice's "by bank transfer to IBAN ... or 0.034 BTC to our wallet", unpressed), and the reader's own
address that something is reported sent to (a pool's "payout sent to your wallet bc1q...": information).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import ClassVar

from coinguard.analyzers.extortion_common import (
    COIN_AMOUNT,
    DEADLINE_SPAN,
    DEMAND,
    INVISIBLE,
    MONEY,
    about_scams,
    attribute_text,
    prepare,
    pressed,
)
from coinguard.findings import Category, CodeInfo, Finding, Item
from coinguard.handlers import AnalysisContext, MessageInfo
from coinguard.text import MAX_TEXT, factored, is_document_text, item_text

NAME = "addresses"

# ---------------------------------------------------------------------------- Base58Check

B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(B58_ALPHABET)}

#: version byte -> coin and kind
BASE58_VERSIONS = {
    0x00: ("BTC", "P2PKH"),
    0x05: ("BTC", "P2SH"),  # also Litecoin's legacy P2SH
    0x30: ("LTC", "P2PKH"),
    0x32: ("LTC", "P2SH"),
    0x41: ("TRX", "address"),
}


def b58number(text: str) -> int | None:
    """The number ``text`` writes in base58 (Bitcoin alphabet); None for characters outside the alphabet."""
    num = 0
    for ch in text:
        idx = _B58_INDEX.get(ch)
        if idx is None:
            return None
        num = num * 58 + idx
    return num


def b58decode(text: str) -> bytes | None:
    """Base58 (Bitcoin alphabet) to bytes; None for characters outside the alphabet."""
    num = b58number(text)
    if num is None:
        return None
    body = num.to_bytes((num.bit_length() + 7) // 8, "big") if num else b""
    pad = len(text) - len(text.lstrip("1"))
    return b"\x00" * pad + body


def base58check_decode(text: str) -> bytes | None:
    """Payload (version byte + data) of a Base58Check string with a valid checksum, else None."""
    raw = b58decode(text)
    if raw is None or len(raw) < 5:
        return None
    payload, checksum = raw[:-4], raw[-4:]
    if hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] != checksum:
        return None
    return payload


def base58_address(text: str) -> tuple[str, str] | None:
    """(coin, kind) for a valid Base58Check address of a known version, else None."""
    payload = base58check_decode(text)
    if payload is None or len(payload) != 21:
        return None
    return BASE58_VERSIONS.get(payload[0])


# ---------------------------------------------------------------------------- Monero

#: Monero's base58 is written in blocks: 8 bytes -> 11 characters, a last short block of n bytes -> this many.
_XMR_BLOCK_CHARS = (0, 2, 3, 5, 6, 7, 9, 10, 11)
#: network byte (mainnet) -> kind: a standard address (95 characters, "4..."), an integrated one with a payment id
#: (106, "4..."), a subaddress (95, "8...").
XMR_NET_BYTES = {18: "standard", 19: "integrated", 42: "subaddress"}


def xmr_b58decode(text: str) -> bytes | None:
    """Monero's block base58 to bytes; None for a character outside the alphabet or a block that overflows."""
    out = bytearray()
    for i in range(0, len(text), 11):
        block = text[i:i + 11]
        size = _XMR_BLOCK_CHARS.index(len(block)) if len(block) in _XMR_BLOCK_CHARS else -1
        if size <= 0:
            return None
        num = b58number(block)
        if num is None or num >> (8 * size):
            return None
        out += num.to_bytes(size, "big")
    return bytes(out)


def monero_address(text: str) -> tuple[str, str] | None:
    """("XMR", kind) for a mainnet Monero address whose Keccak-256 checksum holds, else None.  Technique: sextortion
    and ransom mail that asks for Monero, the coin that cannot be traced."""
    raw = xmr_b58decode(text)
    if raw is None or len(raw) not in (69, 77) or raw[0] not in XMR_NET_BYTES:
        return None
    if (len(raw) == 77) != (raw[0] == 19) or keccak256(raw[:-4])[:4] != raw[-4:]:
        return None
    return "XMR", XMR_NET_BYTES[raw[0]]


# ---------------------------------------------------------------------------- bech32 / bech32m

BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
BECH32_CONST = 1
BECH32M_CONST = 0x2BC830A3
SEGWIT_HRPS = {"bc": "BTC", "ltc": "LTC"}


def _polymod(values: Sequence[int]) -> int:
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (top >> i) & 1 else 0
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(x) >> 5 for x in hrp] + [0] + [ord(x) & 31 for x in hrp]


def bech32_decode(text: str) -> tuple[str, list[int], int] | None:
    """(hrp, data without checksum, constant) for a valid bech32 or bech32m string, else None."""
    if any(ord(c) < 33 or ord(c) > 126 for c in text) or (text.lower() != text and text.upper() != text):
        return None
    text = text.lower()
    pos = text.rfind("1")
    if pos < 1 or pos + 7 > len(text) or len(text) > 90:
        return None
    hrp = text[:pos]
    if not all(c in BECH32_CHARSET for c in text[pos + 1:]):
        return None
    data = [BECH32_CHARSET.find(c) for c in text[pos + 1:]]
    const = _polymod(_hrp_expand(hrp) + data)
    if const not in (BECH32_CONST, BECH32M_CONST):
        return None
    return hrp, data[:-6], const


def _convertbits(data: Sequence[int], frombits: int, tobits: int, pad: bool) -> list[int] | None:
    acc = bits = 0
    out: list[int] = []
    maxv = (1 << tobits) - 1
    for value in data:
        if value < 0 or value >> frombits:
            return None
        acc = (acc << frombits) | value
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            out.append((acc >> bits) & maxv)
    if pad:
        if bits:
            out.append((acc << (tobits - bits)) & maxv)
    elif bits >= frombits or ((acc << (tobits - bits)) & maxv):
        return None
    return out


def segwit_decode(hrp: str, addr: str) -> tuple[int, bytes] | None:
    """(witness version, program) of a valid segwit address for ``hrp`` (BIP-173/350 rules), else None."""
    dec = bech32_decode(addr)
    if dec is None or dec[0] != hrp or not dec[1]:
        return None
    _, data, const = dec
    witver = data[0]
    prog = _convertbits(data[1:], 5, 8, False)
    if prog is None or not 2 <= len(prog) <= 40 or witver > 16:
        return None
    if witver == 0 and len(prog) not in (20, 32):
        return None
    if (witver == 0) != (const == BECH32_CONST):  # v0 must be bech32, v1+ must be bech32m
        return None
    return witver, bytes(prog)


def segwit_address(text: str) -> tuple[str, str] | None:
    hrp = text.lower().split("1", 1)[0]
    coin = SEGWIT_HRPS.get(hrp)
    if coin is None:
        return None
    dec = segwit_decode(hrp, text)
    if dec is None:
        return None
    return coin, f"segwit v{dec[0]}"


# ---------------------------------------------------------------------------- Bitcoin Cash cashaddr

#: cashaddr's generator (its 40-bit BCH code) and the prefix its checksum covers, written or not.
_CASHADDR_GEN = (0x98F2BC8E61, 0x79B76D99E2, 0xF33E5FB3C4, 0xAE2EABE2A8, 0x1E4F43E470)
CASHADDR_PREFIX = "bitcoincash"
#: version byte -> kind (a 160-bit hash: the 42-character addresses)
CASHADDR_VERSIONS = {0x00: "P2PKH", 0x08: "P2SH"}


def _cashaddr_polymod(values: Sequence[int]) -> int:
    chk = 1
    for v in values:
        top = chk >> 35
        chk = ((chk & 0x07FFFFFFFF) << 5) ^ v
        for i, gen in enumerate(_CASHADDR_GEN):
            if (top >> i) & 1:
                chk ^= gen
    return chk ^ 1


def cashaddr_address(text: str) -> tuple[str, str] | None:
    """("BCH", kind) for a Bitcoin Cash cashaddr payload (``q...``/``p...``, without its prefix) whose checksum
    holds, else None.  Technique: the extortion paid in Bitcoin Cash, written in the form its wallets show."""
    if len(text) != 42 or (text.lower() != text and text.upper() != text):
        return None
    payload = text.lower()
    if any(c not in BECH32_CHARSET for c in payload):
        return None
    data = [BECH32_CHARSET.find(c) for c in payload]
    if _cashaddr_polymod([ord(c) & 31 for c in CASHADDR_PREFIX] + [0] + data):
        return None
    raw = _convertbits(data[:-8], 5, 8, False)
    if raw is None or len(raw) != 21 or raw[0] not in CASHADDR_VERSIONS:
        return None
    return "BCH", CASHADDR_VERSIONS[raw[0]]


# ---------------------------------------------------------------------------- Ethereum EIP-55


def keccak256(data: bytes) -> bytes:
    from Crypto.Hash import keccak

    return keccak.new(data=data, digest_bits=256).digest()


def eip55_checksum(address: str) -> str:
    """The EIP-55 mixed-case form of a 0x-prefixed 40-hex address."""
    hexpart = address[2:].lower()
    digest = keccak256(hexpart.encode("ascii")).hex()
    return "0x" + "".join(c.upper() if c.isalpha() and int(digest[i], 16) >= 8 else c for i, c in enumerate(hexpart))


def eth_address(text: str) -> tuple[str, str] | None:
    """('ETH', 'EIP-55') for a valid mixed-case address, ('ETH', 'unchecksummed') for single case, else None."""
    if not re.fullmatch(r"0x[0-9a-fA-F]{40}", text):
        return None
    hexpart = text[2:]
    if hexpart.lower() == hexpart or hexpart.upper() == hexpart:
        if len(set(hexpart.lower())) < 6:  # 0x000...0, 0xffff...: placeholders, not addresses
            return None
        return "ETH", "unchecksummed"
    return ("ETH", "EIP-55") if eip55_checksum(text) == text else None


# ---------------------------------------------------------------------------- finding them in text

_CANDIDATE = re.compile(
    r"(?<![0-9A-Za-z])(?:"
    r"(?P<eth>0x[0-9a-fA-F]{40})"
    r"|(?P<seg>(?:bc|BC|ltc|LTC)1[02-9ac-hj-np-zAC-HJ-NP-Z]{6,87})"
    r"|(?P<b58>[13LMT][1-9A-HJ-NP-Za-km-z]{25,34})"
    r"|(?P<xmr>[48][1-9A-HJ-NP-Za-km-z]{94}(?:[1-9A-HJ-NP-Za-km-z]{11})?)"
    r"|(?P<bch>[qp][02-9ac-hj-np-z]{41}|[QP][02-9AC-HJ-NP-Z]{41})"
    r")(?![0-9A-Za-z])"
)


@dataclass(frozen=True, slots=True)
class Address:
    text: str  # the address itself (re-joined when it was written spaced out)
    coin: str
    kind: str
    start: int
    end: int = -1  # end of what was written in the text (-1: start + len(text))
    spaced: bool = False  # written with separators between its characters ("b c 1 q ...")

    @property
    def verified(self) -> bool:
        return self.kind != "unchecksummed"

    @property
    def stop(self) -> int:
        return self.end if self.end >= 0 else self.start + len(self.text)

    def describe(self) -> str:
        """``BTC segwit v0 bc1q...`` (the full address: the reporting code exports it)."""
        return f"{self.coin} {self.kind} {self.text}" + (" (written spaced out)" if self.spaced else "")


def _decode(m: re.Match[str]) -> tuple[str, str] | None:
    cand = m.group(0)
    if m.group("eth"):
        return eth_address(cand)
    if m.group("seg"):
        return segwit_address(cand)
    if m.group("xmr"):
        return monero_address(cand)
    if m.group("bch"):
        return cashaddr_address(cand)
    return base58_address(cand)


def find_addresses(text: str, limit: int = 200) -> list[Address]:
    """Every checksum-valid address in ``text`` (in order, duplicates kept), bounded.

    Addresses written spaced out to dodge filters (``b c 1 q x 7 ...``, ``0x 71C7 656E ...``) are
    re-joined and count when their checksum holds (:func:`find_spaced`).
    """
    text = text[:MAX_TEXT]
    out: list[Address] = []
    bech = _bech32_starts(text)  # (once: the plain and the grouped search both start from them)
    for m in _candidates(text, bech):
        res = _decode(m)
        if res is not None:
            out.append(Address(m.group(0), res[0], res[1], m.start()))
            if len(out) >= limit:
                return out
    spaced = find_spaced(text, limit - len(out))
    taken = [(a.start, a.stop) for a in out + spaced]
    grouped = [a for a in find_grouped(text, limit - len(out) - len(spaced), bech)
               if not any(lo < a.stop and a.start < hi for lo, hi in taken)]
    extra = spaced + grouped
    return sorted(out + extra, key=lambda a: a.start) if extra else out


_ASCII_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
#: ``bytes.translate`` table: an ASCII letter or digit "a", any other byte a space.
_ALNUM_SHAPE = bytes(ord("a") if chr(b) in _ASCII_ALNUM else 0x20 for b in range(256))
#: The shortest run :data:`_CANDIDATE` matches that does not start like a bech32 address (Base58Check: 26).
_MIN_PLAIN_CANDIDATE = 26


def _candidates(text: str, bech: list[int] | None = None) -> Iterator[re.Match[str]]:
    """``_CANDIDATE.finditer(text)``, the same matches, found quicker.

    A match is a whole run of ASCII letters and digits (the look-behind and look-ahead), of 26 characters
    at least unless it starts like a bech32 address ("bc1", "ltc1"): the runs that long are found in the
    text's shape at C speed, the bech32 starts by a substring search, and the pattern is matched only at
    their starts (the regex's look-behind tried at every position cost ~1.5 ms per 80 KB).  Positions are
    kept: the text is encoded one byte per character (anything not ASCII a "?").  ``bech``:
    :func:`_bech32_starts` of ``text`` when the caller has them."""
    shape = text.encode("ascii", "replace").translate(_ALNUM_SHAPE)
    starts = set(_bech32_starts(text) if bech is None else bech)
    long_run = b"a" * _MIN_PLAIN_CANDIDATE
    pos = 0
    while (start := shape.find(long_run, pos)) >= 0:  # (the first such position after a run is a run's start)
        starts.add(start)
        end = shape.find(b" ", start)
        pos = end if end >= 0 else len(shape)
    for start in sorted(starts):
        m = _CANDIDATE.match(text, start)
        if m is not None:
            yield m


def _bech32_starts(text: str) -> list[int]:
    """Where a run of ASCII letters and digits starts with "bc1", "BC1", "ltc1" or "LTC1" in ``text``, in order."""
    out: list[int] = []
    for tail, heads in (("c1", ("b", "lt")), ("C1", ("B", "LT"))):
        pos = 0
        while (at := text.find(tail, pos)) >= 0:
            pos = at + 1
            for head in heads:
                start = at - len(head)
                if start >= 0 and text.startswith(head, start) and (start == 0 or text[start - 1] not in _ASCII_ALNUM):
                    out.append(start)
    return sorted(out)


#: An address written character by character with separators ("b c 1 q x 7 ...", "0-x-7-1-c-7 ..."):
#: at least MIN_ADDRESS_CHARS single characters in a row.  Prose never has that many one-letter words.
SPACED_MIN_UNITS = 25
_SPACED_RUN = re.compile(rf"(?<![0-9A-Za-z])(?:[0-9A-Za-z][ \u00a0\t.\-_|,*]{{1,3}}){{{SPACED_MIN_UNITS},}}[0-9A-Za-z]"
                         r"(?![0-9A-Za-z])")
#: ASCII text as a shape for :func:`_may_be_spaced`: a letter or digit "a", a separator of _SPACED_RUN "s",
#: anything else "x".
_SPACED_SHAPE = bytes(ord("a") if chr(b).isascii() and chr(b).isalnum() else ord("s") if chr(b) in " \t.-_|,*"
                      else ord("x") for b in range(256))
_SPACED_SHAPE_RUN = b"as" * SPACED_MIN_UNITS + b"a"
#: ``_SPACED_SHAPE_RUN in shape`` by re's literal search: in a shape of nearly all "a" and "s" the bytes
#: search compares at almost every position (0.19 ms per 80 KB), re's prefix table skips (0.07 ms).
_SPACED_SHAPE_RUN_IN = re.compile(re.escape(_SPACED_SHAPE_RUN)).search


def _may_be_spaced(text: str) -> bool:
    """Could :data:`_SPACED_RUN` match ``text``?  In ASCII text a match is single letters or digits each followed by
    1-3 separators: in the shape with separator runs shortened to one, ``as`` SPACED_MIN_UNITS times then ``a``.
    One C-speed substring search instead of the regex's attempt at every position (~1 ms per 80 KB); before it,
    ``sas`` in the uncollapsed shape (the second unit between its separators), so prose with no one-letter word
    skips the two whole-shape copies that collapse the separators."""
    if not text.isascii():
        return True  # (a no-break space separates too)
    shape = text.encode("ascii").translate(_SPACED_SHAPE)
    if b"sas" not in shape:  # a run's second unit is a lone letter or digit between separators: prose has few
        return False
    return _SPACED_SHAPE_RUN_IN(shape.replace(b"sss", b"s").replace(b"ss", b"s")) is not None
#: Bounds of the spaced-out search (runs looked at, characters per run, candidate lengths).
MAX_SPACED_RUNS = 500
MAX_RUN_CHARS = 400
MIN_ADDRESS_CHARS, MAX_ADDRESS_CHARS = 26, 90
_STARTS = ("1", "3", "L", "M", "T", "bc1", "BC1", "ltc1", "LTC1", "0x")


def _plausible_length(cand: str) -> bool:
    """Whether a re-joined candidate has a length its kind of address can have (saves decoding)."""
    n = len(cand)
    head = cand[:4].lower()
    if head.startswith("0x"):
        return n == 42
    if head.startswith("bc1"):
        return n in (42, 62)
    if head.startswith("ltc1"):
        return n in (43, 63)
    return 26 <= n <= 35


def find_spaced(text: str, limit: int = 200) -> list[Address]:
    """Checksum-valid addresses written with separators between their characters.

    Each run is re-joined and tried from every character that can start an address, for every length an
    address can have, longest first; the decoders decide (a random run of letters practically never
    passes a checksum).
    """
    out: list[Address] = []
    if not _may_be_spaced(text):
        return out
    for n, run in enumerate(_SPACED_RUN.finditer(text)):
        if n >= MAX_SPACED_RUNS or len(out) >= limit:
            break
        # at most MAX_RUN_CHARS characters of a run (each with up to 3 separators after it)
        window = text[run.start():min(run.end(), run.start() + 4 * MAX_RUN_CHARS)]
        chars = [(m.group(0), run.start() + m.start()) for m in re.finditer(r"[0-9A-Za-z]", window)][:MAX_RUN_CHARS]
        joined = "".join(c for c, _ in chars)
        i = 0
        while i <= len(joined) - MIN_ADDRESS_CHARS and len(out) < limit:
            hit = _longest_at(joined, i) if joined.startswith(_STARTS, i) else None
            if hit is None:
                i += 1
                continue
            end = i + len(hit[0])
            out.append(Address(hit[0], hit[1], hit[2], chars[i][1], chars[end - 1][1] + 1, True))
            i = end
    return out


#: An address cut into groups ("bc1q ar0s rrr7 ...", "0x71C7 656E C7ab ..."): the first group starts like
#: an address and holds a digit (prose words never do), the next groups follow after a short gap.  A group is up
#: to MAX_GROUP_CHARS long: an extortion breaks the address in two or three lines of 14 to 21 characters
#: ("bc1qw508d6qejx<br>tdg4y5r3zarvar<br>..."); each joined candidate must still pass its checksum.
MAX_GROUP_CHARS = 21
_GROUP = re.compile(rf"[0-9A-Za-z]{{1,{MAX_GROUP_CHARS}}}")
_GROUP_START = re.compile(rf"(?:bc1|BC1|ltc1|LTC1|0x|[13])[0-9A-Za-z]{{0,{MAX_GROUP_CHARS - 1}}}"
                          rf"|[LMT](?=[0-9A-Za-z]*\d)[0-9A-Za-z]{{1,{MAX_GROUP_CHARS - 1}}}")
#: Where :data:`_GROUP_START` can match (at a word's start; an L, M or T only with a digit in its word: "Lorem"
#: starting every sentence of a long text is no address, and is not looked at one by one).
_GROUP_FIRST = re.compile(r"(?<![0-9A-Za-z])(?:bc1|BC1|ltc1|LTC1|0x|[13]|[LMT](?=[0-9A-Za-z]*\d))")
_GROUP_GAP = re.compile(r"[ \u00a0\t\r\n.\-_|,*]{1,3}")
MAX_GROUP_STARTS = 1000


#: :data:`_GROUP_FIRST` but for the bech32 starts: a 0, 1 or 3, or an L, M or T, at a word's start (matched at the
#: starts of the words that hold a digit, :func:`_group_firsts`).
_GROUP_FIRST_RARE = re.compile(r"[013LMT](?<![0-9A-Za-z][\s\S])(?:(?<=0)(?=x)|(?<=[13])|(?<=[LMT])(?=[0-9A-Za-z]*\d))")


#: ``bytes.translate`` table: a digit "1", another ASCII letter "a", any other byte a space.
_DIGIT_SHAPE = bytes(ord("1") if chr(b).isdigit() and b < 128 else ord("a") if chr(b) in _ASCII_ALNUM else 0x20
                     for b in range(256))


def _group_firsts(text: str, bech: list[int] | None = None) -> Iterator[int]:
    """The starts of ``_GROUP_FIRST.finditer(text)``'s matches, in order (each is at a word's start: none
    overlaps another).

    But for the bech32 starts (:func:`_bech32_starts`), each holds a digit: "0x", "1" or "3" start it, an
    L, M or T needs one in its word.  So the words holding a digit are found from their digits (in the
    text's shape, at C speed: prose has few) and only their starts matched; the pattern's search tried its
    look-behind at every position (~1.5 ms per 80 KB)."""
    shape = text.encode("ascii", "replace").translate(_DIGIT_SHAPE)
    bech = _bech32_starts(text) if bech is None else bech
    i = 0
    pos = 0
    while (digit := shape.find(b"1", pos)) >= 0:
        start = shape.rfind(b" ", pos, digit) + 1 or pos  # (the word's start: pos is always one)
        end = shape.find(b" ", digit)
        pos = end if end >= 0 else len(shape)
        if _GROUP_FIRST_RARE.match(text, start) is None:
            continue
        while i < len(bech) and bech[i] <= start:
            if bech[i] < start:  # ("LTC1..." is both)
                yield bech[i]
            i += 1
        yield start
    yield from bech[i:]


def find_grouped(text: str, limit: int = 200, bech: list[int] | None = None) -> list[Address]:
    """Checksum-valid addresses written as groups of characters with short gaps between them (``bech``:
    :func:`_bech32_starts` of ``text`` when the caller has them)."""
    out: list[Address] = []
    starts = 0
    for at in _group_firsts(text, bech):
        if len(out) >= limit or starts >= MAX_GROUP_STARTS:
            break
        first = _GROUP_START.match(text, at)
        if first is None or (first.end() < len(text) and text[first.end()].isalnum()):
            continue
        if _GROUP_GAP.match(text, first.end()) is None:
            continue  # one unbroken token: the plain search has judged it
        starts += 1
        hit = _grouped_from(text, first)
        if hit is not None:
            out.append(hit)
    return out


#: What a prefix of a :data:`_CANDIDATE` address can look like: once the joined groups are not one of
#: these, no further group can make them an address (a sheet of figures starting with 1 or 3 is not
#: joined up to MAX_ADDRESS_CHARS at every number: 14.7 -> 4.6 ms on an 8,000-row sheet).
_VIABLE = re.compile(r"0x[0-9a-fA-F]{0,40}|(?:bc|BC|ltc|LTC)1[02-9ac-hj-np-zAC-HJ-NP-Z]*|[13LMT][1-9A-HJ-NP-Za-km-z]*")


def _grouped_from(text: str, first: re.Match[str]) -> Address | None:
    joined, pos, best = first.group(0), first.end(), None
    while len(joined) <= MAX_ADDRESS_CHARS and _VIABLE.fullmatch(joined):
        gap = _GROUP_GAP.match(text, pos)
        group = _GROUP.match(text, gap.end()) if gap is not None else None
        if group is None or (group.end() < len(text) and text[group.end()].isalnum()):
            break
        joined += group.group(0)
        pos = group.end()
        if len(joined) >= MIN_ADDRESS_CHARS and _plausible_length(joined):
            m = _CANDIDATE.fullmatch(joined)
            res = _decode(m) if m is not None else None
            if res is not None:
                best = Address(joined, res[0], res[1], first.start(), pos, True)
    return best


def _longest_at(joined: str, i: int) -> tuple[str, str, str] | None:
    """(address, coin, kind) of the longest valid address starting at ``joined[i]``, or None."""
    for length in range(min(MAX_ADDRESS_CHARS, len(joined) - i), MIN_ADDRESS_CHARS - 1, -1):
        cand = joined[i:i + length]
        if not _plausible_length(cand):
            continue
        m = _CANDIDATE.fullmatch(cand)
        res = _decode(m) if m is not None else None
        if res is not None:
            return cand, res[0], res[1]
    return None


_AMOUNT_OR_DEADLINE = re.compile(
    r"[$€£¥₩]\s?\d|\d[\d,.]*\s?(?:usd|eur|btc|eth|usdt|ltc|trx|xmr|dollars?|euros?|bitcoins?|원|만원|달러)(?![a-z])"
    r"|\d[\d,.]*\s?[$€£¥]"
    r"|\d+\s?(?:hours?|hrs?|days?|horas|heures|jours|stunden|tagen?|ore|giorni|uur|dagen|saat|g[üu]n|час|дн|"
    r"시간|일\s?이내|時間|小时|小時)(?![a-z])"
    r"|(?<![a-z])(?:twenty|forty|seventy)[- ]?(?:four|eight|two)\s?hours",
    re.IGNORECASE,
)
#: The amounts and short deadlines of the extortion's vocabularies (extortion_common: money in the campaigns'
#: currencies and words, coin amounts, hours and days in their languages: "4000 zł", "48 godzin"), matched in
#: the prepared window where :data:`_AMOUNT_OR_DEADLINE` finds none.
_AMOUNT_OR_DEADLINE_WORDS = re.compile(f"{MONEY.pattern}|{COIN_AMOUNT.pattern}|{DEADLINE_SPAN.pattern}")
#: Characters around an address searched for a payment demand.
DEMAND_WINDOW = 400
#: The terse demand: an amount alone, at a line's or a sentence's start, then "to" and the address ("0.08 to
#: bc1q...", "10 LTC to L..."): the short extortion that writes no verb and often no coin.  Only a demand
#: where threats or a short deadline press it (:func:`payment_demand`); a receipt's "Amount: 0.05 BTC" and
#: "To:" on their own lines are none (a colon, a line break between).
_TERSE_DEMAND = re.compile(
    r"(?:^|[\n.!?;][ \t]{0,3})(\d{1,7}(?:[.,]\d{1,8})?[ \t]?(?:btc|bch|ltc|eth|usdt|xmr|trx|bitcoins?|₿)?)"
    r"[ \t]?(?:to|->|→|=>|an|à|a|para|naar|na)[ \t]?$", re.IGNORECASE)
#: Characters before an address looked at for :data:`_TERSE_DEMAND`.
TERSE_GAP = 40


def _window(text: str, addr: Address) -> str:
    """The text around ``addr`` (DEMAND_WINDOW characters each side), without it."""
    lo, hi = max(0, addr.start - DEMAND_WINDOW), min(len(text), addr.stop + DEMAND_WINDOW)
    return text[lo:addr.start] + " " + text[addr.stop:hi]


def payment_demand(text: str, addr: Address) -> tuple[str, str]:
    """(demand, pressure) near ``addr``: the demand wording ('' when there is none: a demand verb plus an
    amount or deadline) and what presses it ('' when nothing does: a short deadline, or claims that hold the
    reader).  A colleague's "please send 0.015 BTC to bc1q..." is a demand; a ransom presses it."""
    window = _window(text, addr)
    t = prepare(window)
    verb = factored(DEMAND).search(t)
    amount = (_AMOUNT_OR_DEADLINE.search(window) or factored(_AMOUNT_OR_DEADLINE_WORDS).search(t)) if verb else None
    if verb and amount:
        return f"{verb.group(0)} … {amount.group(0).strip()}", pressed(window)
    lo = max(0, addr.start - TERSE_GAP)
    terse = _TERSE_DEMAND.search(("\n" if lo == 0 else "") + text[lo:addr.start])
    if terse:
        press = pressed(window)
        if press:
            return f"{terse.group(1).strip()} to …", press
    return "", ""


#: A payment demand next to an address that no deadline or threat presses (an invoice between colleagues).
UNPRESSED_DEMAND_SCORE = 2.5
#: The ordinary means of payment an invoice, a shop or a donation page offers besides the coin (a bank
#: account, a card, PayPal): where the coin is one option among them, an unpressed "pay ... or 0.034 BTC to
#: our wallet" is the choice of how to pay, not a demand.  (A pressed one still is: "pay by card or in
#: bitcoin within 24 hours, or the video goes out".)
_ORDINARY_MEANS = re.compile(
    r"(?<![a-z])(?:iban|bic|swift|sepa|sort code|routing number|bank transfer|wire transfer|bank account|by card"
    r"|credit card|debit card|paypal|cheque|direct debit|standing order|uberweisung|überweisung|bankverbindung"
    r"|lastschrift|transferencia bancaria|tarjeta|virement|carte bancaire|carte de credit|bonifico|carta di credito"
    r"|transferencia|cartao|cartão|overschrijving|ideal|havale)(?![a-z])", re.IGNORECASE)
#: The reader's own address, where something is reported sent to it ("payout of 0.002 BTC sent to your wallet
#: bc1q...", "withdrawn to your address 3J98..."): no place to pay.  A past participle, not an imperative
#: ("send 0.1 BTC to your wallet bc1q..." is a scam's deposit address dressed as the reader's).
_TO_READER = re.compile(
    r"(?<![a-z])(?:sent|paid|paid out|credited|transferred|withdrawn|delivered|deposited|forwarded)\s(?:[^\s.!?]+\s)"
    r"{0,2}?to your (?:[^\s.!?]+\s)?(?:wallet|address|account)(?: address)?\s?:?\s?$", re.IGNORECASE)
#: Characters before an address looked at for :data:`_TO_READER`.
OWN_GAP = 80
#: crypto.address for the reader's own address only (information: a pool's or an exchange's report).
OWN_ADDRESS_SCORE = 0.5


def readers_own(text: str, addr: Address) -> bool:
    """Is ``addr`` the reader's own address, something reported sent to it (see :data:`_TO_READER`)?"""
    return _TO_READER.search(text[max(0, addr.start - OWN_GAP):addr.start]) is not None


def address_findings(text: str, min_many: int, path: str = "") -> Iterator[Finding]:
    # (full-width or other compatibility forms of the characters, "ｂｃ１ｑ...", are folded first)
    # (INVISIBLE maps no ASCII character: an ASCII text is left as it is, not copied through the table; NFKC of
    # a text the table made ASCII is that text)
    text = text[:MAX_TEXT]
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text.translate(INVISIBLE))
    found = find_addresses(text)
    if not found:
        return
    distinct = {a.text.lower() if a.coin == "ETH" else a.text: a for a in found}
    shown = ", ".join(a.describe() for a in list(distinct.values())[:4])
    if len(distinct) >= max(2, min_many):
        yield Finding("crypto.addresses_many", NAME, path, f"{len(distinct)} distinct addresses: {shown}")
    else:
        verified = any(a.verified for a in distinct.values())
        own = all(readers_own(text, a) for a in found)
        yield Finding("crypto.address", NAME, path, shown + (" (the reader's own, sent to)" if own else ""),
                      score=OWN_ADDRESS_SCORE if own else None if verified else 1.0)
    warned = about_scams(text)  # a digest quoting a campaign's wallet: its demand is reported, not made
    for addr in found:
        if readers_own(text, addr):
            continue
        demand, pressure = payment_demand(text, addr)
        if warned:
            pressure = ""
        if demand and not pressure and _ORDINARY_MEANS.search(_window(text, addr)):
            continue  # the coin offered beside a bank account or a card: how to pay, not a demand
        if demand and pressure:
            yield Finding("crypto.address_payment_demand", NAME, path,
                          f"{addr.describe()} near '{demand}', pressed by '{pressure}'")
            break
        if demand:  # an invoice's wording: kept as information, it tags only with other evidence
            yield Finding("crypto.address_payment_demand", NAME, path, f"{addr.describe()} near '{demand}'",
                          score=UNPRESSED_DEMAND_SCORE)
            break


CODES = (
    CodeInfo("crypto.address", 2.0, Category.THEME,
             "one or two checksum-valid cryptocurrency addresses (BTC/LTC/TRX Base58Check, bech32/bech32m, "
             "ETH EIP-55; 1 when only unchecksummed ETH; 0.5 when the reader's own, reported sent to)"),
    CodeInfo("crypto.addresses_many", 3.0, Category.THEME,
             "at least [crypto] min_distinct_addresses distinct checksum-valid addresses"),
    CodeInfo("crypto.address_payment_demand", 6.0, Category.THEME,
             "an address next to a payment demand with an amount or deadline, pressed by a short deadline or "
             "threats (extortion, ransom); 2.5 when nothing presses it (an invoice's wording), none for a coin "
             "offered beside a bank account or card"),
)


class AddressMessage:
    """Addresses in the Subject and body text."""

    name: ClassVar[str] = NAME
    after: ClassVar[tuple[str, ...]] = ()
    codes: ClassVar[tuple[CodeInfo, ...]] = CODES

    def analyze_message(
        self, msg: MessageInfo, items: Sequence[Item], findings: Sequence[Finding], ctx: AnalysisContext
    ) -> Iterator[Finding]:
        # (with the alt/title texts of the HTML body: an address can hide in a picture's alt text)
        text = f"{msg.subject}\n{msg.body_text}\n{attribute_text(items)}"
        yield from address_findings(text, ctx.config.crypto.min_distinct_addresses)


class AddressDocument:
    """Addresses in document text and text/HTML attachments."""

    name: ClassVar[str] = "addresses_document"
    codes: ClassVar[tuple[CodeInfo, ...]] = CODES

    def applies_to(self, item: Item) -> bool:
        return is_document_text(item)

    def handle(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        yield from address_findings(item_text(item, ctx), ctx.config.crypto.min_distinct_addresses, item.path)
