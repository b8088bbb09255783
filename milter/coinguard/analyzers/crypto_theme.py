"""Crypto lure language in the subject, body, attachment names and extracted document text.

The phrase list and its matching live in :mod:`coinguard.lures`, text normalisation in
:mod:`coinguard.text`; this module scores what they find, per place.

Scoring: per place, the weights of the DISTINCT phrases found are summed; a finding needs at
least one topic/secret phrase and the place's threshold, so one everyday word (``코인``,
``deposit``, ``wallet``) never tags a mail.  The finding's score grows with the sum, capped.

A mailing (List-Id / List-Unsubscribe) that asks nothing of the reader and whose Subject is a headline (topic and
bait words, addressed to nobody) is news: its Subject scores nothing (:func:`headline`); in a mailing that addresses
no reader and bids nothing, light calls ("claim") are a discussion's nouns (:func:`discussed`).

Besides the phrases: image-only lures (a lure Subject over a picture or a bare link) and callback
scams (a crypto receipt from a free mailbox with a telephone number to call).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

from coinguard.analyzers.extortion_common import (
    COIN,
    COIN_AMOUNT,
    MAX_ANATOMY_CHARS,
    READER,
    THREAT_MIN,
    WALLET,
    about_scams,
    anatomy,
    attribute_text,
    prepare,
)
from coinguard.brandlist import FREEMAIL, brands_for, mentioned_norm, verified_brand_sender
from coinguard.findings import DMARC_PASS, Category, CodeInfo, Finding, Item, Role
from coinguard.handlers import AnalysisContext, MessageInfo, is_mailing
from coinguard.lures import (
    KIND_MIN_WEIGHT,
    LURE_KINDS,
    TOPIC_ACTION_WEIGHT,
    TOPIC_CAP,
    Lure,
    LureList,
    LureMatch,
    is_topic,
    lures_for,
    match_lures,
    match_parts,
    may_name_topic,
)
from coinguard.sniff import ItemType
from coinguard.text import (
    RegexGate,
    decode_item,
    is_document_text,
    is_forwarded,
    item_text,
    normalize,
    normalized_join,
)

NAME = "crypto_theme"

# ---------------------------------------------------------------------------- scoring per place


@dataclass(frozen=True, slots=True)
class Place:
    code: str
    threshold: float  # summed weight needed
    base: float  # score at the threshold
    per_weight: float  # added per weight unit above it
    cap: float
    #: added per weight unit of lure wording proper (call to action, pressure, bait, extortion; not the
    #: subject matter or a secret merely named): a text that mostly pushes is worse than one that informs
    per_lure_weight: float = 0.0
    #: the most a text scores when it asks nothing of the reader (no call to action, no wallet secret,
    #: no payment demand): topic words, news and marketing bait alone stay below the tag threshold
    no_action_cap: float | None = None
    #: no finding for subject matter alone (only topic phrases, each lighter than an airdrop or a
    #: crypto-specific action): "Bitcoin, Ethereum, Krypto: the week" is a newsletter's Subject
    needs_lure: bool = False


def subject_matter_only(match: LureMatch) -> bool:
    """Only plain topic phrases (coin names, "crypto"): what a news Subject says, no lure wording."""
    return all(t.category == "topic" and t.weight < TOPIC_ACTION_WEIGHT for t in match.terms)


SUBJECT = Place("crypto.lure.subject", 2.0, 2.5, 0.5, 3.0, needs_lure=True)
BODY = Place("crypto.lure.body", 3.5, 2.5, 0.5, 6.0, per_lure_weight=0.25, no_action_cap=4.0)
#: The Subject names the crypto topic but the body has (almost) no text: an image-only or QR-code lure.
IMAGE_ONLY_CODE = "crypto.lure.image_only"
IMAGE_ONLY_SCORE = 3.0
#: Body text shorter than this (letters and digits) counts as "no text".
IMAGE_ONLY_MAX_CHARS = 60
ATTACHMENT_NAME = Place("crypto.lure.attachment_name", 2.0, 2.0, 0.5, 3.0)
DOCUMENT = Place("crypto.lure.document", 3.5, 2.5, 0.5, 5.0)
#: Lure findings in mail from a brand's own domain with an aligned, passing DKIM signature (a genuine
#: exchange newsletter talks about wallets and withdrawals) are kept as information at this score.
VERIFIED_BRAND_CAP = 1.0


def brand_named(parts: Sequence[str], ctx: AnalysisContext) -> bool:
    """Do these texts name an exchange or wallet brand (by a distinctive name)?  Then they are about crypto."""
    return bool(mentioned_norm(normalized_join(ctx, *parts), brands_for(ctx), context=False))


#: A text using at least DIVERSE_KINDS kinds of lure wording (lures.LURE_KINDS) has the anatomy of a lure
#: (bait + call to action + pressure, or a secret asked for with pressure): +DIVERSITY_BONUS.  A call to
#: action together with one other kind (bait: "claim the tokens allocated to you"; pressure: "withdraw
#: before your account is frozen") is that anatomy too, with the topic already required.
DIVERSE_KINDS = 3
PUSH_KINDS = frozenset({"action", "urgency", "reward", "extortion"})
DIVERSITY_BONUS = 1.0
#: Bait and pressure weighing this much is a lure even without an explicit call to action ("you won
#: 0.5 BTC, prize pool ending soon"); below it, a text that asks nothing stays under Place.no_action_cap.
NO_ACTION_BAIT = 3.0
#: Kinds of wording that ask the reader to do something (the call to action of a lure).
ASKING_KINDS = frozenset({"action", "secret", "extortion"})


def lure_wording(term: Lure) -> bool:
    """Is ``term`` lure wording proper (a kind of lures.LURE_KINDS, not subject matter)?  A crypto-specific call
    (an action of TOPIC_ACTION_WEIGHT or more: "connect your wallet") names the topic AND is the call to action:
    it counts as both, so a short lure whose only call is crypto-specific has a lure's anatomy too."""
    return term.category in LURE_KINDS and (not is_topic(term) or term.category == "action")


def lure_kinds(match: LureMatch) -> set[str]:
    """The kinds of lure wording (:func:`lure_wording`) in ``match`` weighing KIND_MIN_WEIGHT or more together."""
    weights: dict[str, float] = {}
    for t in match.terms:
        if lure_wording(t):
            weights[t.category] = weights.get(t.category, 0.0) + t.weight
    return {kind for kind, w in weights.items() if w >= KIND_MIN_WEIGHT}


def has_lure_anatomy(match: LureMatch) -> bool:
    """Three kinds of lure wording, or a call to action with bait or pressure (each kind weighing >= 1)."""
    kinds = lure_kinds(match)
    return len(kinds) >= DIVERSE_KINDS or ("action" in kinds and len(kinds) >= 2)


def asks_something(match: LureMatch) -> bool:
    """Does the text ask the reader to act (a call to action, a wallet secret, a payment demand)?"""
    return any(t.category in ASKING_KINDS for t in match.terms)


def place_score(match: LureMatch, place: Place, topic: bool = False, notice: bool = False,
                discussion: bool = False) -> float | None:
    """The finding score for ``match`` at ``place``, or None when it is not a lure there.

    ``topic`` says the crypto topic was already established elsewhere (the body of a mail whose
    Subject is about bitcoin need not repeat the word, or that names an exchange).  ``notice``: the mail links
    nowhere, so a text that asks nothing is a notice however much it tells of coins earned (a statement: "you
    received 0.012 ETH in staking rewards, added to your balance automatically"): the no-action cap holds.  A
    bait with nothing asked and nowhere to go leads nowhere (an extortion asks: its demand is extortion wording).
    ``discussion``: the text speaks of what a lure would ask without asking it of anyone (:func:`discusses`): the
    no-action cap holds whatever its wording.
    """
    if not (match.topic or topic) or match.weight < place.threshold:
        return None
    if place.needs_lure and subject_matter_only(match):
        return None
    score = place.base + (match.weight - place.threshold) * place.per_weight
    pushed = sum(t.weight for t in match.terms if t.category in PUSH_KINDS and lure_wording(t))
    if place.per_lure_weight:
        score += pushed * place.per_lure_weight
    if has_lure_anatomy(match):
        score += DIVERSITY_BONUS
    cap = place.cap
    if place.no_action_cap is not None and (discussion or (not asks_something(match)
                                                           and (pushed < NO_ACTION_BAIT or notice))):
        cap = min(cap, place.no_action_cap)
    return round(min(cap, score), 2)


def _over_no_action_cap(match: LureMatch, place: Place, topic: bool, notice: bool) -> bool:
    """Would ``match`` score over ``place``'s no-action cap without the ``discussion`` cap?  (Only then can
    :func:`discusses` change the finding: it is not asked of the others.)"""
    score = place_score(match, place, topic, notice)
    return score is not None and place.no_action_cap is not None and score > place.no_action_cap


def _finding(match: LureMatch, place: Place, path: str = "", cap: float | None = None,
             topic: bool = False, notice: bool = False, discussion: bool = False) -> Finding | None:
    score = place_score(match, place, topic, notice, discussion)
    if score is None:
        return None
    if cap is not None and score > cap:
        return Finding(place.code, NAME, path, match.describe() + " [verified brand sender]", score=cap)
    return Finding(place.code, NAME, path, match.describe(), score=score)


# ---------------------------------------------------------------------------- tickers known to no list

#: Technique (airdrop / token giveaway): the drop is named by a new project's ticker, known to no list ("your 18,240
#: points convert to 3,648 QSR", "an allocation of 1,980 NXB", "Claim 2,400 $VRTX").  The lists match lower-cased
#: text, where an amount before a ticker reads as one before any word ("3,648 new"); the original text's case tells
#: them apart: a symbol in capitals (3-6 letters; a cashtag: "$" and 2-10 capitals or digits) right after an amount,
#: in a sentence that is not shouted, and no currency code, unit, time zone or capitalised word of a shouting line;
#: not a price and a product's model code after it ("$24.02 DSP-500 headset": money, then "-" or a digit), nor a
#: year before an event's or an organisation's acronym ("2018 CIMC", "the 2023 ONCF report").
#: Such an amount is taken as lures.txt takes a listed coin's ("0.35 eth": bait and the topic), and only in a text that
#: already holds a call to action or bait (a claim, an allocation: the drop's own wording), so a flight number, an
#: invoice line or a product code beside no lure wording counts for nothing.
_TICKER_AMOUNT = re.compile(r"(?<![\w.,$€£¥])(?!(?:19|20)\d\d(?![\d.,]))\d[\d.,' \u00a0]{0,14}?\s?"
                            r"(?:(?P<sym>[A-Z]{3,6})|\$(?P<tag>[A-Z][A-Z0-9]{1,9}))(?![\w$€£¥-])")
#: Capitals after an amount that are no ticker: currency codes (ISO 4217), units (of measure, of goods shipped: "40
#: PAL"), time and dates, countries (a postal address's "Suite 3204 USA"), the capitalised words of shouted text and
#: of product, payroll and administrative codes.
_NOT_TICKERS = frozenset({
    "USD", "EUR", "GBP", "CHF", "JPY", "CNY", "RMB", "CAD", "AUD", "NZD", "SEK", "NOK", "DKK", "ISK", "PLN", "CZK",
    "HUF", "RON", "BGN", "HRK", "TRY", "RUB", "UAH", "BYN", "KZT", "INR", "PKR", "BDT", "LKR", "NPR", "BRL", "MXN",
    "ARS", "CLP", "COP", "PEN", "UYU", "ZAR", "NGN", "KES", "GHS", "EGP", "MAD", "TND", "AED", "SAR", "QAR", "KWD",
    "BHD", "OMR", "ILS", "IRR", "IQD", "JOD", "KRW", "HKD", "SGD", "TWD", "THB", "IDR", "MYR", "PHP", "VND", "XAF",
    "XOF", "EURO", "EUROS", "KIB", "MIB", "GIB", "TIB", "KBPS", "MBPS", "GBPS", "KHZ", "MHZ", "GHZ", "KWH", "MWH",
    "GWH", "KVA", "MAH", "DPI", "PPI", "FPS", "LBS", "GAL", "SQM", "SQFT", "RPM", "PSI", "BAR", "MPH", "KMH", "UTC",
    "GMT", "CET", "CEST", "EET", "EEST", "WET", "BST", "IST", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST",
    "PDT", "AEST", "JST", "KST", "HRS", "MIN", "MINS", "SEC", "BCE", "YTD", "MTD", "PCS", "SKU", "SKUS", "IDS",
    "PIN", "PDF", "CPU", "GPU", "RAM", "USB", "HDR", "LED", "SSD", "HDD", "ISO", "ETF", "ETFS", "IPO", "ATM",
    "ATMS", "FAQ", "VAT", "GST", "TAX", "OFF", "FREE", "NOW", "NEW", "MORE", "LEFT", "ONLY", "DAYS", "DAY", "HOURS",
    "HOUR", "WEEKS", "MONTHS", "YEARS", "TIMES", "PLUS", "MAX", "PRO", "TOP", "BEST", "SALE", "PEOPLE", "USERS",
    "SEATS", "SPOTS", "POINTS", "PTS", "STARS", "ITEMS", "UNITS", "AND", "FOR", "THE", "YOU", "YOUR", "VOL", "REF",
    "ORDER", "BOX", "PAL", "PALS", "PLT", "PLTS", "CTN", "CTNS", "BOXES", "PKG", "PKGS", "PCE", "ROLLS", "SETS",
    "PRS", "DOZ", "LOTS", "BAGS", "KGS", "TONS", "CBM", "FTE", "FTES", "RSU", "RSUS", "PSU", "PSUS", "ESPP", "PTO",
    "CME", "CPD", "ECTS", "VCPU", "STOCK", "SHARES", "USA", "UAE", "GBR", "DEU", "FRA", "ESP", "ITA", "NLD", "BEL",
    "CHE", "AUT", "SWE", "NOR", "DNK", "FIN", "POL", "PRT", "IRL", "GRC", "TUR", "RUS", "UKR", "JPN", "KOR", "CHN",
    "IND", "AUS", "NZL", "BRA", "ARG", "MEX", "CAN", "ZAF", "EGY", "ISR", "SGP", "HKG", "TWN", "THA", "IDN", "MYS",
    "PHL", "VNM",
})


def ticker_amounts(text: str, limit: int = 3) -> list[str]:
    """Amounts of a ticker known to no list in ``text`` (original case), at most ``limit``: see _TICKER_AMOUNT."""
    out: list[str] = []
    for m in _TICKER_AMOUNT.finditer(text[:CALLBACK_SCAN_CHARS]):
        if m.group("sym") in _NOT_TICKERS:
            continue
        # shouted text ("ONLY 24 HOURS LEFT"): the words around the amount are in capitals too
        before = text[max(0, m.start() - 40):m.start()].split()[-1:]
        after = text[m.end():m.end() + 40].split()[:1]
        if any(w.isupper() and len(w) > 1 for w in before + after):
            continue
        out.append(" ".join(m.group(0).split()))
        if len(out) >= limit:
            break
    return out


#: Technique (airdrop / token giveaway): the drop named by its ticker before the drop's noun, with no amount ("Check
#: your MOVE allocation and claim it", "Your $ZRO allocation is ready", "Ihre ZRC-Zuteilung"): a symbol in capitals
#: (3-6 letters) or a cashtag right before "allocation" or "airdrop" (and their German, Spanish, Portuguese and
#: French words), in a sentence that is not shouted.  Capitals that allocate other things are no ticker: an IPO's,
#: a payroll's or a data centre's (CPU, VLAN, ASN ...: _NOT_TICKERS and _ALLOCATED).
_TICKER_NOUN = re.compile(r"(?<![\w$.-])(?:\$(?P<tag>[A-Z][A-Z0-9]{1,9})|(?P<sym>[A-Z]{3,6}))[- ]"
                          r"(?i:allocations?|airdrops?|zuteilung|asignaci[oó]n|aloca[cç][aã]o|r[ée]partition)(?!\w)")
_ALLOCATED = frozenset({"DHCP", "VLAN", "VLANS", "ASN", "BGP", "CIDR", "VPC", "AWS", "GCP", "IOPS", "CAPEX", "OPEX",
                        "NHS", "GDP", "HSA", "FSA", "LTIP", "BUDGET", "COST", "COSTS", "FUND", "ASSET", "MEDIA"})
_NOT_DROP_TICKERS = _NOT_TICKERS | _ALLOCATED


def ticker_nouns(text: str) -> list[str]:
    """The first ticker named before a drop's noun in ``text`` (original case): see _TICKER_NOUN."""
    for m in _TICKER_NOUN.finditer(text[:CALLBACK_SCAN_CHARS]):
        if (m.group("sym") or "") in _NOT_DROP_TICKERS:
            continue
        before = text[max(0, m.start() - 40):m.start()].split()[-1:]
        if any(w.isupper() and len(w) > 1 for w in before):
            continue
        return [" ".join(m.group(0).split())]
    return []


#: What an amount of an unknown ticker weighs: as a listed coin's amount does in lures.txt (bait 2, the topic 1).
TICKER_REWARD, TICKER_TOPIC = 2.0, 1.0
#: Kinds of wording a text must already hold for its unknown tickers to count (the drop's call or bait).
_DROP_KINDS = frozenset({"action", "reward"})


def with_tickers(match: LureMatch, text: str, lures: LureList, ctx: AnalysisContext | None = None) -> LureMatch:
    """``match`` with the first amount of a ticker known to no list in ``text`` added as bait and topic (see
    :data:`_TICKER_AMOUNT`), when ``match`` already holds a call to action or bait."""
    if not any(t.category in _DROP_KINDS and lure_wording(t) for t in match.terms):
        return match
    # (a coin the list names, "0.005 BTC", is the list's to weigh, with its exceptions: "a donation of 0.005 BTC")
    found = [a for a in ticker_amounts(text) if not match_lures(a, lures, ctx).topic][:1]
    # (no amount: a ticker named before the drop's noun names the topic; the noun is the list's bait already)
    named = [] if found or match.topic else ticker_nouns(text)
    if not found and not named:
        return match
    topic_before = min(TOPIC_CAP, sum(t.weight for t in match.terms if t.category == "topic"))
    topic_after = min(TOPIC_CAP, topic_before + TICKER_TOPIC)
    if named:
        return LureMatch(round(match.weight + topic_after - topic_before, 2), True,
                         (*match.terms, Lure(named[0], "topic", TICKER_TOPIC)))
    terms = (*match.terms, Lure(found[0], "reward", TICKER_REWARD), Lure(found[0], "topic", TICKER_TOPIC))
    return LureMatch(round(match.weight + TICKER_REWARD + topic_after - topic_before, 2), True, terms)


# ---------------------------------------------------------------------------- look-alike letters

#: crypto.lure.lookalike_letters: words of the Subject or From display name written in Latin with Greek or
#: Cyrillic look-alike letters mixed in ("Μetamаsk", "wаllet", "Αirdrορ"): the sender hides lure words
#: from keyword filters.  Legitimate Greek or Russian text writes a word in one script.
LOOKALIKE_CODE = "crypto.lure.lookalike_letters"
LOOKALIKE_SCORE = 2.0
_WORD = re.compile(r"[^\W\d_]{3,40}")
_LOOKALIKE_SCRIPTS = ("GREEK", "CYRILLIC")


def lookalike_words(text: str, limit: int = 4) -> list[str]:
    """Words mixing Latin letters with Greek/Cyrillic look-alikes that read as a plain Latin word."""
    import unicodedata

    out: list[str] = []
    for m in _WORD.finditer(text[:2000]):
        word = m.group(0)
        if word.isascii():
            continue
        scripts = {unicodedata.name(ch, "").split(" ", 1)[0] for ch in word}
        if "LATIN" not in scripts or not scripts & set(_LOOKALIKE_SCRIPTS):
            continue
        folded = normalize(word)
        if folded.isascii() and folded.isalpha():
            out.append(word)
            if len(out) >= limit:
                break
    return out


# ---------------------------------------------------------------------------- callback scams

#: crypto.callback_scam: a fake receipt, invoice or renewal naming an exchange or crypto purchase, sent
#: from a free mailbox, with a telephone number to call ("if you did not authorise this, call ...").
#: The victim phones the "support desk", which talks them into remote access or a transfer.  Exchanges do
#: not send receipts from free mailboxes: the three together are the technique (callback phishing).
CALLBACK_CODE = "crypto.callback_scam"
#: Below the tag threshold alone: with the exchange named (brand.impersonation) or lure wording it tags.
CALLBACK_SCORE = 4.0
#: A telephone number as written for a caller: NANP "+1 (866) 278-0146" / "833-412-3646", or an
#: international "+44 20 7946 0958".  Runs of bare digits (order numbers) do not count.
_PHONE = re.compile(
    r"(?<![\w+])(?:\+?1[\s.-]?)?\(?[2-9]\d{2}\)?[\s.-]\d{3}[\s.-]\d{4}(?!\w)"
    r"|(?<![\w+])\+\d{1,3}(?:[\s.-]\(?\d{1,4}\)?){2,4}(?!\w)"
)
#: What a receipt says (not merely "paid" or "payment": "the dinner is paid by the sponsor" is no receipt).
_TRANSACTION = re.compile(
    r"(?<![a-z])(?:receipt|invoice|purchase|subscription|renewal|auto[- ]?renew\w*|charged|billing|refund"
    r"|debited|deducted|(?:your|the)\s+order|order\s+(?:confirmation|receipt|number|no\b|id\b|#|details|summary)"
    r"|payment\s+(?:confirmation|is\s+processed|processed|received|receipt|of)|transaction\s+(?:id|number|details))",
    re.IGNORECASE,
)
CALLBACK_SCAN_CHARS = 100_000


def callback_scam(msg: MessageInfo, crypto: bool) -> str:
    """The detail of a crypto callback scam in ``msg`` ('' when it is none); ``crypto``: the mail is about crypto."""
    domain = msg.from_domain.lower()
    if not crypto or domain not in FREEMAIL:
        return ""
    # a receipt the user forwards from their own free mailbox (to an accountant) is no callback scam
    if is_forwarded(msg.subject, msg.body_text):
        return ""
    text = f"{msg.subject}\n{msg.body_text[:CALLBACK_SCAN_CHARS]}"
    phone = _PHONE.search(text)
    deal = _TRANSACTION.search(text)
    if phone is None or deal is None:
        return ""
    return f"{deal.group(0).lower()} wording and the number {phone.group(0).strip()} to call, from {domain}"


# ---------------------------------------------------------------------------- extortion and fake balances

#: crypto.extortion: the parts of a sextortion / bomb-threat / "I hacked you" mail together, found by their
#: structure (extortion_common): two claims that hold the reader (hack, recording, shame, exposure, harm)
#: spoken in the first person, a payment in a coin (an address, the coin named, an amount), a demand or an
#: amount, and a short deadline or a demand for secrecy.  Paraphrases with none of lures.txt's phrases
#: still have those parts; a text about such scams (warning vocabulary) has not.
EXTORTION_CODE = "crypto.extortion"
EXTORTION_SCORE = 6.0
#: crypto.fake_balance: coins (or money, the coin named) credited to the reader -- a balance, a payout, a
#: withdrawal waiting -- with a call to act on it (withdraw, confirm, log in; or a link) and pressure (a
#: short deadline, a fee to release it, expiry or a block).
FAKE_BALANCE_CODE = "crypto.fake_balance"
FAKE_BALANCE_SCORE = 5.0
#: crypto.investment_lure: the bitcoin get-rich / trading-robot spam by its parts: the coin, a promise of
#: wealth, earning, the machine or chance that makes it (a robot, an AI, a platform, the banks that hide it)
#: and a call to join.  Below the tag threshold alone: with any lure wording it tags -- or with every part
#: present and riches promised (extortion_common.Anatomy.investment_complete), the robot spam in any language.
INVESTMENT_CODE = "crypto.investment_lure"
INVESTMENT_SCORE, INVESTMENT_COMPLETE_SCORE = 4.0, 5.0
#: A fake balance from a domain that passes DMARC (not a known brand's: that is capped at
#: VERIFIED_BRAND_CAP): an exchange's own notice says "withdrawal", "fee", "within 24 hours" too.
FAKE_BALANCE_DMARC_CAP = 2.5
#: Codes of the addresses analyzer read here (an address is the coin of a payment).
ADDRESS_CODES = frozenset({"crypto.address", "crypto.addresses_many", "crypto.address_payment_demand"})


def without(match: LureMatch, category: str) -> LureMatch:
    """``match`` without its terms of ``category``: the extortion wording of a text about scams (a security
    newsletter, a digest quoting a campaign describes the threats it warns of; they are not made to the
    reader), the bait (reward wording) of a report (amounts and prizes offered to no one are news)."""
    dropped = sum(t.weight for t in match.terms if t.category == category)
    terms = tuple(t for t in match.terms if t.category != category)
    return LureMatch(round(match.weight - dropped, 2), match.topic, terms)


def claims_told_of_others(text: str) -> bool:
    """Does ``text`` tell of threats made to someone else (a thriller's blurb, a report: "a hacker records a
    senator through his webcam and demands 50 bitcoin")?  The claims are there (extortion_common's
    THREAT_MIN groups) but no reader is addressed: the extortion wording describes, it threatens nobody."""
    parts = anatomy(text)
    return len(parts.threats) >= THREAT_MIN and not parts.reader


#: Letters of the scripts whose second person READER knows well enough to say none is there (Latin,
#: Cyrillic): Korean, Japanese and Chinese lures often address nobody by a pronoun.
_UNREAD_SCRIPT = re.compile(r"[^\W\d_a-z\u00c0-\u024f\u0400-\u052f]")


#: Second-person words READER leaves out (it looks for the reader addressed by extortion claims, where a
#: German "sie" may be "they"): here any of them is a reader possibly addressed, and the bait counts.
_MORE_READER = re.compile(
    r"(?<![a-z])(?:sie|ihnen|du|euch|euer|eure|u|ur|ya|ye|y'all|vy|ty|lei|voi|vi|ustedes|vosotros|os|vc|voces"
    r"|jou|jullie|siz|sen|kalian|dich|toi|ton|ta|tes|vos|votre)(?![a-z])")


def addresses_nobody(text: str) -> bool:
    """No second person anywhere in ``text`` (no "you", "your", "Sie", "vous", "ваш" ...), in Latin or
    Cyrillic script: news and reports speak of third parties ("a lottery winner collected a jackpot of 2 BTC",
    "hackers drained 4,000 BTC"); bait is offered to a reader."""
    t = prepare(text)
    return _UNREAD_SCRIPT.search(t) is None and READER.search(t) is None and _MORE_READER.search(t) is None


#: An action phrase heavier than this asks something of the reader ("claim your reward", "scan your
#: wallet", "withdraw the funds"); the lighter ones are also a notice's nouns ("withdrawal", "deposit").
FIRM_ACTION = 1.0


def asks_firmly(match: LureMatch) -> bool:
    """A firm call to action (an action phrase over FIRM_ACTION), a wallet secret or extortion wording."""
    return any(t.category in ("secret", "extortion") or (t.category == "action" and t.weight > FIRM_ACTION)
               for t in match.terms)


#: Third parties a report is about (who did what to whom): news names its actors; a pitch that addresses
#: no one by a pronoun ("JOIN NOW: free weekly lottery, 5 bitcoin in prizes") names only its offer.
_THIRD_PARTIES = re.compile(
    r"(?<![a-z])(?:users|customers|clients|investors|traders|holders|players|winners?|regulators?|authorities"
    r"|officials|police|prosecutors|court|lawmakers|government|analysts|researchers|hackers|attackers|victims"
    r"|the (?:exchange|company|firm|platform|trustee|bank|project|founder|ceo)"
    r"|nutzer|kunden|anleger|behorden|polizei|usuarios|clientes|inversores|autoridades|policia|utilisateurs"
    r"|investisseurs|autorites|regulateurs)(?![a-z])")


def bids_the_reader(match: LureMatch, text: str) -> bool:
    """Does an action phrase of ``match`` open a sentence of ``text`` (an imperative: "Register now for free",
    where a report says "users had 48 hours to withdraw")?"""
    t = prepare(text)
    return any(re.search(r"(?:^|[.!?:;]\s?)" + re.escape(normalize(a.phrase)) + r"(?![a-z])", t) is not None
               for a in match.terms if a.category == "action")


def reports_on_others(match: LureMatch, text: str) -> bool:
    """Does ``text`` address no reader, tell of third parties and bid nothing (see :func:`addresses_nobody`,
    :data:`_THIRD_PARTIES`, :func:`bids_the_reader`)?  Then it is a report: the amounts and prizes in it are
    offered to no one."""
    return addresses_nobody(text) and _THIRD_PARTIES.search(prepare(text)) is not None \
        and not bids_the_reader(match, text)


@lru_cache(maxsize=1)
def _coin_gate() -> RegexGate:
    return RegexGate([COIN, COIN_AMOUNT, WALLET])


@lru_cache(maxsize=1)
def _coin_words_unspaced() -> bool:
    """No ASCII required word of the coin's patterns holds a space (see :func:`pays_in_coin`; a non-ASCII word,
    such as an Arabic two-word name, is in no ASCII text, prepared or not)."""
    return not any(ch.isspace() for w in _coin_gate().needles if w.isascii() for ch in w)


def pays_in_coin(text: str, address: bool) -> bool:
    """Could :func:`anatomy_findings` find anything in ``text``?  Each of its techniques is paid in the coin:
    an extortion in a wallet address, the coin named or the wallet to pay into (``Anatomy.extortion``: address,
    coin, coin_amount or wallet), a fake balance holds out the coin (``fake_balance``: coin_amount or coin), a
    get-rich lure sells it (``investment``: coin).  Without an address, and where none of COIN, COIN_AMOUNT and
    WALLET matches the prepared text, the anatomy has none of those parts and no finding: its two dozen
    13-language vocabularies (~12 ms on 80 KB of prose, most of it on words like "i", "me", "ore" that every
    text holds) are not searched.  The searches run only where the gate finds one of their required words; the
    prepared text is the one :func:`anatomy` reads (cached)."""
    if address:
        return True
    gate = _coin_gate()
    head = text[:MAX_ANATOMY_CHARS]
    if head.isascii() and _coin_words_unspaced():
        # prepare() of ASCII text only lowers it and makes some characters spaces (whitespace, leaked escapes,
        # separators): each of its space-free runs is in the lower-case text (a test holds it to that), and no
        # ASCII required word holds a space, so a word absent from the lower case is absent from the prepared
        # text, and the preparation (~1 ms per 80 KB) is left for text that has them
        may = gate.open(head.lower())
        if not (may(COIN) or may(COIN_AMOUNT) or may(WALLET)):
            return False
    t = prepare(text)
    may = gate.open(t)
    return any(may(rx) and rx.search(t) is not None for rx in (COIN, COIN_AMOUNT, WALLET))


def anatomy_findings(text: str, address: bool, link: bool, path: str = "") -> Iterator[Finding]:
    """crypto.extortion / crypto.fake_balance / crypto.investment_lure for ``text`` (``address``: it holds a
    wallet address; ``link``: it links somewhere)."""
    if not pays_in_coin(text, address):
        return
    parts = anatomy(text)
    for code, score, detail in ((EXTORTION_CODE, EXTORTION_SCORE, parts.extortion(address)),
                                (FAKE_BALANCE_CODE, FAKE_BALANCE_SCORE, parts.fake_balance(link)),
                                (INVESTMENT_CODE, INVESTMENT_COMPLETE_SCORE if parts.investment_complete
                                 else INVESTMENT_SCORE, parts.investment(link))):
        if detail:
            yield Finding(code, NAME, path, detail[:300], score=score)


def _name_text(name: str) -> str:
    """Attachment names: separators become spaces so ``wallet_recovery-phrase.pdf`` reads as words."""
    return re.sub(r"[_.+()\[\]]+", " ", name)


ANATOMY_CODES = (
    CodeInfo(EXTORTION_CODE, EXTORTION_SCORE, Category.THEME,
             "extortion by its parts, in any wording: two claims that hold the reader (hack, recording, shame, "
             "exposure, harm) in the first person, payment in a coin, a demand or amount, a deadline or secrecy"),
    CodeInfo(FAKE_BALANCE_CODE, FAKE_BALANCE_SCORE, Category.THEME,
             "fake balance by its parts, in any wording: coins credited to the reader (balance, payout, "
             "withdrawal), a call to act on them or a link, and pressure (short deadline, fee, expiry)"),
    CodeInfo(INVESTMENT_CODE, INVESTMENT_SCORE, Category.THEME,
             "get-rich investment lure by its parts: the coin, wealth promised, earning, the robot/AI/platform "
             "or chance that makes it, and a call to join"),
)


#: A mailing list's or a repository's tag opening the Subject ("[bitcoin-dev] ...", "Re: [owner/airdrop-claim]
#: Fix the proof check"): one token in brackets, after any reply/forward prefixes.
_LIST_TAG = re.compile(r"^\s*(?:(?:re|fwd?|aw|wg|sv|vs|antw|tr|rv)\s*:\s*)*\[([^\[\]\s]{2,100})\]", re.IGNORECASE)


def list_subject(msg: MessageInfo) -> str:
    """The Subject without the list tag its List-Id names: a GitHub notification from a repository named
    "airdrop-claim-contract", a list called "token-sale-dev" say the list's name, not a lure's words (the
    repository-notification technique of a false positive).  A tag the List-Id header does not hold stays."""
    m = _LIST_TAG.match(msg.subject)
    if m is None:
        return msg.subject
    list_id = " ".join(v for n, v in msg.headers if n.lower() == "list-id").lower()
    if not list_id or m.group(1).lower() not in list_id:
        return msg.subject
    return msg.subject[:m.start(1) - 1] + msg.subject[m.end(1) + 1:]


def secret_as_subject_matter(match: LureMatch, text: str) -> bool:
    """A Subject that names a wallet secret as what it is about, pushes nothing and addresses no one
    ("Geth 1.15: keystore changes", "Seed phrase backups explained"): a release note's or newsletter's title.
    A lure's Subject asks for the secret ("Confirm your seed phrase"), presses ("Recovery phrase required")
    or names the reader's ("Your recovery phrase"): those keep the secret (the false-positive technique of
    developer and security newsletters)."""
    return (any(t.category == "secret" for t in match.terms)
            and all(t.category in ("topic", "secret") for t in match.terms) and addresses_nobody(text))


def discussed(match: LureMatch) -> LureMatch:
    """``match`` without its light actions (FIRM_ACTION or less): in a mailing that addresses no reader and bids
    nothing (:func:`addresses_nobody`, :func:`bids_the_reader`), "claim", "withdrawal", "deposit" are the nouns
    of a discussion ("the merkle claim costs 48k gas per wallet"), not calls to action."""
    terms = tuple(t for t in match.terms if not (t.category == "action" and t.weight <= FIRM_ACTION))
    if len(terms) == len(match.terms):
        return match
    dropped = sum(t.weight for t in match.terms) - sum(t.weight for t in terms)
    return LureMatch(round(match.weight - dropped, 2), any(is_topic(t) for t in terms), terms)


#: Kinds of lure wording a news headline does not hold: it neither bids, presses nor threatens (bait words such as
#: "eligibility" or "rewards" are also a report's subject).
_NOT_HEADLINE = frozenset({"action", "urgency", "secret", "extortion"})


#: Kinds of wording no discussion holds: it neither presses, threatens nor asks for a wallet secret.
_PRESSING = frozenset({"urgency", "extortion", "secret"})


def discusses(match: LureMatch, text: str, link: bool) -> bool:
    """Does ``text`` (matched as ``match``) discuss a drop rather than ask for anything: it links nowhere, presses
    nothing (:data:`_PRESSING`), addresses no reader and bids nothing (:func:`addresses_nobody`,
    :func:`bids_the_reader`)?  Technique of the false positive on a colleague's or a team's mail about a token
    launch ("the airdrop claim page goes live the same day; eligibility comes from the season 1 snapshot"): its
    calls to action are nouns, there is nowhere to act and nobody asked to.  A lure gives the reader a link, or
    tells them to act, or speaks to them, or presses.

    A linkless mail that does speak to its reader discusses too when its only calls are light ones (FIRM_ACTION or
    less: "withdrawal", "deposit", "claim" as nouns) and none opens a sentence: a colleague's note on the validator's
    earnings ("the validator earned 1.84 ETH; can you check the withdrawal schedule?") names coins and a
    withdrawal and asks a question of its reader, but nothing that takes coins anywhere."""
    return not link and not any(t.category in _PRESSING for t in match.terms) \
        and (addresses_nobody(text) or not asks_firmly(match)) and not bids_the_reader(match, text)


#: A guide's clause ("we show how to <verb> ...", "why you should ..."): in a mailing the action named is what the guide
#: explains ("this week we show how to review and revoke approvals yourself, and why you should ignore e-mails
#: telling you your wallet was flagged"), not a call made to the reader: the technique of the false positive on
#: security and product newsletters.  A lure's call stands in a sentence of its own ("Revoke them now"), which is
#: read; the clause ends at the sentence's end, a colon or a semicolon ("here is how to claim: connect your wallet").
#: The clause is a guide's only where a guide's verb introduces it ("we show how to", "learn when to", "this issue
#: explains how you can") or it says why the reader should: "here's how to claim your airdrop -- connect your
#: wallet", in a lure sent through a mailing service, is read whole.
_GUIDE_CLAUSE = re.compile(
    r"(?<![^\W\d_])(?:(?:show|shows|showing|explain|explains|explaining|explained|learn|teach|teaches|covers?"
    r"|describes?|walks? you through|find out|read about)\s(?:you\s)?(?:how|when) (?:to|you should|you can"
    r"|you need to|we)|why you should)\s[^.!?;:\n]{0,160}", re.IGNORECASE)


def without_guides(text: str) -> str:
    """``text`` without its guide clauses (:data:`_GUIDE_CLAUSE`); ``text`` itself when it has none."""
    return _GUIDE_CLAUSE.sub(" ", text) if _GUIDE_CLAUSE.search(text) else text


def headline(match: LureMatch, text: str) -> bool:
    """Is the Subject ``text`` (matched as ``match``) a news headline: topic and bait words only, addressed to
    nobody ("This week: airdrop season returns", "ZK airdrop eligibility explained")?  A lure's Subject presses
    ("Don't miss out: only 1,000 NFTs"), bids ("Claim your airdrop") or speaks to the reader ("... for your
    NFT")."""
    return not any(t.category in _NOT_HEADLINE for t in match.terms) and addresses_nobody(text)


class CryptoThemeMessage:
    """Lure language in the subject, the body text and the attachment names."""

    name: ClassVar[str] = NAME
    #: reads DKIM_ALIGNED, DMARC_PASS, and the addresses found (a wallet address is an extortion's coin)
    after: ClassVar[tuple[str, ...]] = ("dkim_auth", "dmarc_auth", "addresses")
    codes: ClassVar[tuple[CodeInfo, ...]] = (
        CodeInfo(SUBJECT.code, SUBJECT.cap, Category.THEME,
                 "crypto lure phrases in the Subject or From display name (score grows with their weights)"),
        CodeInfo(BODY.code, BODY.cap, Category.THEME,
                 "crypto lure phrases in the body text (score grows with the phrases' weights, lures.txt)"),
        CodeInfo(ATTACHMENT_NAME.code, ATTACHMENT_NAME.cap, Category.THEME,
                 "crypto lure phrases in attachment file names"),
        CodeInfo(IMAGE_ONLY_CODE, IMAGE_ONLY_SCORE, Category.THEME,
                 "the Subject/From name is a crypto lure (bait, call to action, pressure) but the body shows a "
                 "picture or link instead of text (image or QR-code lure)"),
        CodeInfo(LOOKALIKE_CODE, LOOKALIKE_SCORE, Category.THEME,
                 "Subject/From name words written with Greek/Cyrillic look-alike letters among Latin ones "
                 "('Μetamаsk') in crypto-themed mail: lure words hidden from filters"),
        CodeInfo(CALLBACK_CODE, CALLBACK_SCORE, Category.THEME,
                 "callback scam: a crypto receipt/invoice/renewal from a free mailbox with a telephone number to call"),
        *ANATOMY_CODES,
    )

    def analyze_message(
        self, msg: MessageInfo, items: Sequence[Item], findings: Sequence[Finding], ctx: AnalysisContext
    ) -> Iterator[Finding]:
        lures = lures_for(ctx)
        subject_text = list_subject(msg)
        cap = VERIFIED_BRAND_CAP if verified_brand_sender(msg, findings, ctx) else None
        listed = is_mailing(msg)
        # (a mailing's guide clauses explain the calls they name: they are not read as calls, see without_guides)
        subject_read, body_read = ((without_guides(subject_text), without_guides(msg.body_text)) if listed
                                   else (subject_text, msg.body_text))
        subject = match_parts((subject_read, msg.from_display), lures, ctx)
        if secret_as_subject_matter(subject, f"{subject_text}\n{msg.from_display}"):
            subject = without(subject, "secret")
        topic = subject.topic or brand_named((subject_text, msg.from_display, msg.body_text), ctx)
        # the body is read together with the Subject: a lure often splits topic and call to action
        # between them ("0.75 BTC" in the Subject, "withdraw within 24 hours" in the body)
        body = (match_parts((subject_read, msg.from_display, body_read), lures, ctx) if msg.body_text.strip()
                else LureMatch(0.0, False, ()))
        said = f"{subject_text}\n{msg.body_text}"
        body = with_tickers(body, said, lures, ctx)
        address = any(f.code in ADDRESS_CODES for f in findings)
        link = bool(msg.body_html_links) or "://" in msg.body_text[:CALLBACK_SCAN_CHARS]
        # (a brand's own aligned mail is its notice: its withdrawal confirmations have a fake balance's parts)
        anatomy_text = f"{subject_text}\n{msg.from_display}\n{msg.body_text}\n{attribute_text(items)}"
        techniques = list(anatomy_findings(anatomy_text, address, link)) if cap is None else []
        if any(t.category == "extortion" for t in body.terms) and (about_scams(said) or claims_told_of_others(said)):
            body = without(body, "extortion")
        # (a story with a technique's parts, the celebrity's trading robot, is the lure's, not news)
        if any(t.category == "reward" for t in body.terms) and not techniques and not asks_firmly(body) \
                and reports_on_others(body, said):
            body = without(body, "reward")
        if listed and not techniques and addresses_nobody(said) and not bids_the_reader(body, said):
            subject, body = discussed(subject), discussed(body)
        news = listed and not techniques and not asks_something(body) and not has_lure_anatomy(body) \
            and headline(subject, f"{subject_text}\n{msg.from_display}")
        discussion: bool | None = None  # (discusses() reads the whole text: only asked where its cap would bite)
        for match, place in ((subject, SUBJECT), (body, BODY)):
            if news and place is SUBJECT:
                continue  # a mailing that asks nothing: its Subject's topic ("airdrop season returns") is its news
            if discussion is None and _over_no_action_cap(match, place, topic, not link):
                discussion = not techniques and discusses(body, said, link)
            f = _finding(match, place, cap=cap, topic=topic, notice=not link, discussion=bool(discussion))
            if f is not None:
                yield f
        disguised = lookalike_words(f"{subject_text} {msg.from_display}") if topic or body.topic else []
        if disguised:
            yield Finding(LOOKALIKE_CODE, NAME, "", "look-alike letters in " + ", ".join(disguised),
                          score=min(LOOKALIKE_SCORE, cap or LOOKALIKE_SCORE))
        callback = callback_scam(msg, topic or body.topic)
        if callback:
            yield Finding(CALLBACK_CODE, NAME, "", callback, score=min(CALLBACK_SCORE, cap or CALLBACK_SCORE))
        dmarc = any(f.code == DMARC_PASS for f in findings)
        for f in techniques:
            yield f if not dmarc or f.code != FAKE_BALANCE_CODE else \
                Finding(f.code, NAME, "", f.detail + " [DMARC pass]", score=FAKE_BALANCE_DMARC_CAP)
        names = " ; ".join(_name_text(n) for n in msg.attachment_names[:200])
        f = _finding(match_lures(names, lures, ctx), ATTACHMENT_NAME, cap=cap)
        if f is not None:
            yield f
        if (subject.topic and subject.weight >= SUBJECT.threshold and any(t.category != "topic" for t in subject.terms)
                and _is_textless(msg.body_text, msg.subject) and _carries_picture(msg, items)):
            yield Finding(IMAGE_ONLY_CODE, NAME, "", f"Subject: {subject.describe(4)}; body has no text",
                          score=min(IMAGE_ONLY_SCORE, cap) if cap is not None else IMAGE_ONLY_SCORE)


def _carries_picture(msg: MessageInfo, items: Sequence[Item]) -> bool:
    """Does the mail show a picture or a link instead of text (an image part, ``<img`` in the HTML, a link)?

    A one-line plain-text mail has little text, but it is text: it is no image-only lure.
    """
    if msg.body_html_links or "://" in msg.body_text[:20000]:
        return True
    for item in items:
        if item.depth > 0:
            continue
        if str(item.type).startswith("image."):
            return True
        if item.role == Role.BODY and item.type == ItemType.HTML and "<img" in decode_item(item, 1 << 20).lower():
            return True
    return False


def _is_textless(body: str, subject: str = "") -> bool:
    """True when the body has (almost) no letters or digits outside links: images, a QR code, a bare link.

    The Subject repeated in the body (an HTML title or an image's alt text) is no text of its own.
    """
    body = body[:20000]
    if subject.strip():
        body = body.replace(subject.strip(), " ")
    count = 0
    for word in body.split():
        if "://" in word or word[:4].lower() == "www.":
            continue
        count += sum(ch.isalnum() for ch in word)
        if count >= IMAGE_ONLY_MAX_CHARS:
            return False
    return True


class CryptoThemeDocument:
    """Lure language inside documents (text extracted by the document analyzers, text attachments)."""

    name: ClassVar[str] = "crypto_theme_document"
    codes: ClassVar[tuple[CodeInfo, ...]] = (
        CodeInfo(DOCUMENT.code, DOCUMENT.cap, Category.THEME,
                 "crypto lure phrases in the text of an attached document"),
        *ANATOMY_CODES,
    )

    def applies_to(self, item: Item) -> bool:
        return is_document_text(item)

    def handle(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        text = item_text(item, ctx)
        lures = lures_for(ctx)
        # (DOCUMENT needs a topic term: a text that cannot hold one has its phrases left unmatched)
        f = _finding(match_lures(text, lures, ctx), DOCUMENT, item.path) if may_name_topic(text, lures, ctx) else None
        if f is not None:
            yield f
        # an extortion or a fake balance written in an attached .txt/.pdf/.html (the body says "see attached")
        yield from anatomy_findings(text, False, "://" in text[:CALLBACK_SCAN_CHARS], item.path)

