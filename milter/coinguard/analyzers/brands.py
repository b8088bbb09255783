"""Exchange and wallet brands: impersonation by name, look-alike sender domains and links.

The brand table is ``config/brands.toml`` (:mod:`coinguard.brandlist`).  Domains are compared on
their registrable part (:mod:`coinguard.domains`, Public Suffix List).  A look-alike is a
registrable domain that is not the brand's but whose first label

- folds to the brand label after homoglyph folding (Unicode confusables, IDN/punycode decoded,
  ``0``/``o``, ``1``/``l``/``i``, ``rn``/``m``, ``vv``/``w``; hyphens ignored),
- is within a small edit distance of it (1 for labels of 6+ letters, 2 for 10+; not two edits inside one
  word of a compound brand name: ``cointicker`` replaces CoinTracker's "Tracker", it is no typo),
- contains it as a word (``upbit-security.com``), glued to words phishing domains use
  (:data:`GLUE_WORDS`: ``ledgerlivewallet.com``, ``binanceverify.net``, ``secureokxlogin.io``; for every
  brand, short and everyday-word names included) or, for distinctive labels, as a substring
  (``metamaskwallet.io``),

or a domain that carries the brand in a subdomain of someone else's registrable domain
(``binance.com.secure-login.xyz``, ``metamask.wallet-sync.app``).  Brands whose name is an everyday word
(``weak_names``: Ledger, Gemini, Kraken) are looked for only in crypto mail, except in an
internationalised, mixed-script spelling (``gemіni.com`` with a Cyrillic і), which is never the word, and
except with a crypto or account word hyphenated to it (``phantom-wallet-update.com``, ``kraken-verify.net``,
``jup-claim.web.app``: :func:`self_evident`), which says which Phantom is meant; such a From domain or link
host gives the mail its crypto context (:func:`domain_context`).
So does a From display name using the everyday-word name while the From domain's label is the brand's label
plus glue words only ("Kraken <statements@kraken-statements.com>"), with a call to action or a link into that
domain: each says which Kraken the other means (:func:`display_and_domain_agree`).

A brand named only in the body of a mailing (List-Unsubscribe / List-Id) together with other brands,
without account wording, is an editorial mention (a digest, a tracker's summary), not a claim.

Link hosts come from every URL of the message (:func:`~coinguard.analyzers.urls_common.message_urls`:
the body, PDF and Office links, attachments' text, QR codes, open-redirect destinations).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import ClassVar

from coinguard.analyzers.urls_common import BODY, FoundUrl, ip_host, message_urls, url_host
from coinguard.brandlist import (
    FREEMAIL,
    Brand,
    BrandTable,
    Lookalike,
    brands_for,
    mentioned,
    mentioned_norm,
    verified_brand_sender,
)
from coinguard.domains import edit_distance, first_label, registrable, skeleton, to_unicode
from coinguard.findings import Category, CodeInfo, Finding, Item, Role
from coinguard.handlers import AnalysisContext, MessageInfo, is_mailing
from coinguard.lures import LureMatch, is_topic, lure_kinds, lures_for, match_parts
from coinguard.sniff import ItemType
from coinguard.text import decode_item, is_forwarded, normalize, normalized, normalized_join

NAME = "brands"
MAX_LINK_HOSTS = 300
MAX_LINK_FINDINGS = 5

#: brand.impersonation score by where the brand is named (From display name is the claim that matters).
SCORE_DISPLAY = 5.0
SCORE_SUBJECT = 3.0
SCORE_BODY = 1.0
#: The brand named in the address of a free mailbox ("binance.riskteam@hotmail.com", "okx.security.center@
#: gmail.com", "listing.gateio.team@gmail.com"): an exchange's security team, support desk or listing team never
#: writes from a free mailbox, so the address itself is the claim (the fake-support / fake-alert technique).
SCORE_FREEMAIL_ADDRESS = 3.0
_ADDRESS_SEPARATORS = re.compile(r"[._+\-\d]+")


def freemail_address_words(msg: MessageInfo) -> str:
    """The local part of a free-mailbox From address as words ("binance riskteam"), or '' for any other domain."""
    if msg.from_domain.lower() not in FREEMAIL:
        return ""
    return _ADDRESS_SEPARATORS.sub(" ", msg.from_addr.rpartition("@")[0]).strip()
#: Editorial mention: a mailing (List-Unsubscribe / List-Id: a newsletter, a digest, a tracker's summary)
#: whose body names this many different brands, none of them in a claim of authorship (From display name,
#: Subject, header logo, sign-off) and without account wording, talks about the market: an impersonator
#: claims one brand.  No brand.impersonation then.  (A fake receipt naming "Coinbase" and "Binance" for a
#: callback scam is no mailing and keeps its body mention.)
EDITORIAL_BRANDS = 2
#: Lure weight (lures.txt) that gives a mail crypto context even without a topic word ("complete the
#: 2FA verification ... withdrawing funds"): brands with everyday-word names then count.
CONTEXT_LURE_WEIGHT = 3.0
#: Lure wording (account takeover: "verify", "account locked", "2FA", wallet secrets; or bait: "1.3 BTC
#: credited") of at least this weight next to a brand name raises a Subject/body mention by ACCOUNT_BONUS.
ACCOUNT_LURE_WEIGHT = 2.5
ACCOUNT_LURE_CATEGORIES = frozenset({"action", "urgency", "secret", "reward", "extortion"})
ACCOUNT_BONUS = 2.0
#: brand.link_text_mismatch: the visible text of a link is a brand's web address (5) or names the
#: brand (2), while the link goes to a domain that is neither the brand's nor the sender's.
SCORE_LINK_TEXT_URL = 5.0
SCORE_LINK_TEXT_NAME = 2.0
#: brand.balance_bait: a large money or coin amount written right before an exchange's name
#: ("127 325 USD BINANCE", "1.364 BTC KUCOIN"): a fake balance, typically stuffed into a user name or
#: form field of a legitimate site's notification so that the site's own mail carries the lure.
SCORE_BALANCE_BAIT = 4.0
_BALANCE = re.compile(r"(?<![\w.,])\d{1,3}(?:[ .,]?\d{3})+(?:[.,]\d+)?\s?(?:usd|usdt|usdc|eur|euro|euros|dollars?)"
                      r"(?![a-z])|(?<![\w.,])\d{1,6}[.,]\d{1,8}\s?(?:btc|eth|bnb|ltc|trx|sol)(?![a-z])")
#: Necessary condition of :data:`_BALANCE` (both branches end in a digit, at most one whitespace, then a
#: unit): searched first, ~7 against ~80 us on 2 KB of text without an amount.
_BALANCE_GATE = re.compile(r"\d\s?(?:usd|eur|dollar|btc|eth|bnb|ltc|trx|sol)")
BALANCE_WINDOW = 40
#: brand.impersonation from the body's sign-off: the mail signs as the brand ("© 2024 Ledger", "The
#: MetaMask Team", "Best regards, Trust Wallet Support") while it comes from someone else's domain.  A
#: claim of authorship like the display name's, weaker (a footer is less seen): below the tag threshold
#: alone, at it with account wording.  Forwarded mail and photo credits ("Image: © Binance") are left out.
SCORE_SIGNOFF = 4.0
SIGNOFF_SCAN_CHARS = 200_000
MAX_SIGNOFFS = 50
_NAME_WORDS = r"[^\W\d_][\w.'&-]{0,30}(?:[ ][\w.'&-]{1,30}){0,2}"
_COPYRIGHT = re.compile(r"(?<!\w)(?:©|\(c\)|copyright(?:\s*©)?)\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*)?,?\s*"
                        rf"(?P<name>{_NAME_WORDS})", re.IGNORECASE)
_CREDIT = re.compile(r"(?:photo|image|picture|credit|source|foto|bild|quelle|fuente)\W{0,3}$", re.IGNORECASE)
_TEAM_WORDS = r"(?:team|support team|security team|customer support|customer care|support|security|wallet team)"
_TEAM = re.compile(
    rf"^[ \t]*(?:the\s+)?(?P<line>{_NAME_WORDS}?)\s+{_TEAM_WORDS}[ \t]*[.!]?[ \t]*$"
    r"|(?<![\w])(?:regards|sincerely|thanks|thank you|cheers|best|yours|greetings)[,.!]?\s+(?:the\s+)?"
    rf"(?P<closing>{_NAME_WORDS}?)\s+{_TEAM_WORDS}(?!\w)",
    re.IGNORECASE | re.MULTILINE)
#: Necessary conditions of :data:`_COPYRIGHT` and :data:`_TEAM`, looked for in the text's ``str.lower()``
#: (each pattern is tried at every position of the body: ~35 and ~75 us on 2 KB of prose that holds
#: neither): every match of _COPYRIGHT holds "©", "(c)" or "copyright", every match of _TEAM one of its
#: team words, and each of those holds one of these pieces.  The pieces avoid the letters i and s, which
#: ``re.IGNORECASE`` matches with characters whose ``lower()`` is not that letter (dotless ı, İ, long ſ);
#: tests/analyzers/test_brands_gates.py checks the pieces' characters against every code point.
_COPYRIGHT_NEEDLES = ("©", "(c)", "copyr")
_TEAM_NEEDLES = ("team", "upport", "ecur", "care")
MAX_ANCHORS = 300
MAX_HTML_SCAN = 1024 * 1024
#: brand.tenant_sender: the mail is sent from the default domain of a free cloud tenant or app host (a
#: Microsoft 365 trial tenant's ``<name>.onmicrosoft.com``, a Firebase project's ``<id>.firebaseapp.com`` /
#: ``.web.app``, Google App Engine's ``appspotmail.com``), in From, the envelope sender or Return-Path:
#: anyone gets one in minutes, with no domain of their own to lose, and the host's reputation carries the
#: mail past filters.  Weak context: counted only when the mail names a brand or reads as crypto and pushes
#: (lure wording beyond the topic, TENANT_PUSH_WEIGHT), so a company's ordinary mail from its tenant stays clean.
TENANT_DOMAINS = ("onmicrosoft.com", "firebaseapp.com", "web.app", "appspotmail.com")
SCORE_TENANT = 1.5


# ---------------------------------------------------------------------------- look-alikes


_LABEL_PARTS = re.compile(r"[-_]+")
_HOST_PARTS = re.compile(r"[.\-_]+")

#: Words that phishing domains glue to a brand name, before or after it ("ledgerlivewallet",
#: "secureokxlogin", "binanceverify"): a label made of a brand plus only such words is a look-alike
#: even when the brand's name is short (OKX, MEXC) or an everyday word (Ledger, Kraken), where a
#: brand merely contained in a label ("generalledger") is not.
GLUE_WORDS = (
    "access", "account", "accounts", "activate", "activation", "airdrop", "alert", "alerts", "app", "apps",
    "assist", "auth", "backup", "bonus", "bridge", "care", "center", "centre", "check", "claim", "claims",
    "cloud", "coin", "coins", "connect", "crypto", "dapp", "defi", "desk", "desktop", "download", "exchange",
    "extension", "finance", "fund", "funds", "get", "gift", "global", "help", "helpdesk", "hub", "id", "info",
    "key", "keys", "kyc", "live", "login", "mobile", "my", "network", "nft", "node", "notice", "official",
    "online", "pay", "portal", "pro", "promo", "protect", "recover", "recovery", "restore", "reward", "rewards",
    "safe", "secure", "security", "seed", "service", "services", "setup", "signin", "stake", "staking", "start",
    "support", "swap", "sync", "team", "token", "tokens", "trade", "unlock", "update", "upgrade", "validate",
    "validation", "vault", "verification", "verify", "wallet", "wallets", "web", "web3",
    # the exchange's business and its support desk ("kraken-withdrawals", "krakenfx-mail", "ledger-customers")
    "client", "clients", "customer", "customers", "deposit", "deposits", "member", "members", "payment", "payments",
    "transfer", "transfers", "user", "users", "withdraw", "withdrawal", "withdrawals", "case", "chat", "compliance",
    "dashboard", "legal", "panel", "review", "status", "ticket", "aml", "2fa", "mfa", "otp",
    "mail", "email", "mailer", "notify", "notification", "notifications", "server", "system",
    "guard", "safety", "shield", "drop", "drops", "event", "events", "giveaway", "presale", "launch", "earn",
    # the account's paperwork ("kraken-statements", "ledger-billing", "exodus-invoices"; not "tax" or "report":
    # an accounting firm's own words)
    "statement", "statements", "billing", "invoice", "invoices", "receipt", "receipts",
    # a domain written into the label ("ledger-com.io", "binance-us.net")
    "com", "net", "org", "io", "us", "eu", "uk", "hq",
)
#: Longest glue word (bounds the word-break search).
_GLUE_MAX = max(len(w) for w in GLUE_WORDS)


@lru_cache(maxsize=1)
def _glue_skeletons() -> frozenset[str]:
    return frozenset(skeleton(w) for w in GLUE_WORDS)


def _only_glue(rest: str) -> bool:
    """Whether skeleton ``rest`` is a run of glue words with nothing else (empty counts)."""
    words = _glue_skeletons()
    ok = [True] + [False] * len(rest)
    for end in range(1, len(rest) + 1):
        ok[end] = any(ok[start] and rest[start:end] in words for start in range(max(0, end - _GLUE_MAX), end))
    return ok[-1]


def _glued(skel: str, target: str) -> bool:
    """``skel`` is ``target`` with glue words written on to it (and at least one of them)."""
    if len(skel) > 63 or len(skel) <= len(target):
        return False
    start = skel.find(target)
    while start >= 0:
        if _only_glue(skel[:start]) and _only_glue(skel[start + len(target):]):
            return True
        start = skel.find(target, start + 1)
    return False


#: Glue words that say by themselves what an everyday-word brand name next to them means: the coin,
#: the wallet, its secrets and the account-takeover verbs ("phantom-wallet-update", "kraken-verify",
#: "jup-claim").  A weak brand's label made of its name and glue words only, one of them from this set,
#: is a look-alike even in mail without crypto context (the domain is the context), and makes the mail's
#: everyday-word brand names count.  "phantom-fireworks", "ledger-accounting" hold no glue word at all.
SELF_EVIDENT_WORDS = (
    "airdrop", "auth", "claim", "claims", "coin", "coins", "crypto", "dapp", "defi", "kyc", "aml", "2fa", "mfa",
    "otp", "login", "signin", "nft", "presale", "recover", "recovery", "restore", "seed", "stake", "staking",
    "swap", "token", "tokens", "unlock", "validate", "validation", "verification", "verify", "wallet", "wallets",
    "web3", "withdraw", "withdrawal", "withdrawals",
)
#: Support-desk glue words: two of them with an everyday-word brand ("ledger-support-desk") are self-evident
#: too; one ("rainbow-care", "stellar-security") is an ordinary business name.
DESK_WORDS = ("account", "accounts", "care", "desk", "help", "helpdesk", "secure", "security", "support")
SELF_EVIDENT = "everyday-word brand with crypto/account words"


@lru_cache(maxsize=1)
def _word_classes() -> tuple[frozenset[str], frozenset[str]]:
    return frozenset(skeleton(w) for w in SELF_EVIDENT_WORDS), frozenset(skeleton(w) for w in DESK_WORDS)


def _glue_weight(rest: str) -> int:
    """Best weight of a split of skeleton ``rest`` into glue words (-1: no such split): a self-evident
    word counts 2, a desk word 1, other glue words 0."""
    words = _glue_skeletons()
    evident, desk = _word_classes()
    best = [0] + [-1] * len(rest)
    for end in range(1, len(rest) + 1):
        for start in range(max(0, end - _GLUE_MAX), end):
            piece = rest[start:end]
            if best[start] >= 0 and piece in words:
                gain = 2 if piece in evident else 1 if piece in desk else 0
                best[end] = max(best[end], best[start] + gain)
    return best[-1]


@lru_cache(maxsize=16384)
def self_evident(label: str, brand_label: str) -> bool:
    """Registrable label ``label`` is ``brand_label`` and glue words written apart by hyphens, with one
    self-evident word or two desk words among them (see :data:`SELF_EVIDENT_WORDS`).  Hyphenated only: there
    the registrant wrote the word breaks; a glued label's ("ledgerlivewallet") are guessed, and it still
    needs crypto context."""
    target = skeleton(brand_label)
    if not target or "-" not in label or len(label) > 63:
        return False
    parts = [skeleton(t) for t in _LABEL_PARTS.split(label) if t]
    if target not in parts:
        return False
    rest = list(parts)
    rest.remove(target)
    weights = [_glue_weight(p) for p in rest]
    return bool(rest) and min(weights) >= 0 and sum(weights) >= 2


@lru_cache(maxsize=16384)
def _label_reason(label: str, brand_label: str, weak: bool, words: tuple[str, ...] = ()) -> str:
    """Why registrable label ``label`` imitates ``brand_label`` ('' when it does not); ``words`` are the
    brand name's words when it is a compound (:func:`brand_words`)."""
    skel, target = skeleton(label), skeleton(brand_label)
    if not skel or not target:
        return ""
    if skel == target:
        return "brand name on another domain" if label.lower().replace("-", "") == brand_label else "homoglyph"
    parts = [skeleton(t) for t in _LABEL_PARTS.split(label) if t]
    # (an everyday word with other words -- "lido-beach-hotel", "polygon-graphics" -- is their business name;
    # with phishing's glue words only -- "ledger-live", "kraken-secure-login" -- it is the brand)
    if target in parts and (not weak or all(p == target or _only_glue(p) for p in parts)):
        return "brand plus word"
    if _glued(skel, target):
        return "brand glued to a word"
    if weak:  # an everyday word: only exact look-alikes above
        return ""
    if len(target) >= 5 and target in skel:
        return "contains brand"
    if len(target) >= 6 and len(skel) >= 6:
        limit = 2 if len(target) >= 10 else 1
        distance = edit_distance(skel, target, limit)
        if distance <= limit and not (distance == 2 and _word_replaced(skel, target, words)):
            return "edit distance"
    return ""


@lru_cache(maxsize=4096)
def _brand_words(brand: Brand, brand_label: str) -> tuple[str, ...]:
    return brand_words(brand, brand_label)


_CAMEL = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def brand_words(brand: Brand, brand_label: str) -> tuple[str, ...]:
    """The words of a compound brand name that spells ``brand_label`` ("CoinTracker" -> coin, tracker;
    "Trust Wallet" -> trust, wallet), as skeletons; () when no name spells the label in two or more words."""
    target = skeleton(brand_label)
    for name in brand.names:
        if not name.isascii():
            continue
        words = tuple(skeleton(w) for w in _CAMEL.findall(name))
        if len(words) >= 2 and "".join(words) == target:
            return words
    return ()


def _word_replaced(skel: str, target: str, words: tuple[str, ...]) -> bool:
    """Whether ``skel``, two edits from ``target``, differs from it only inside one of the brand's ``words``:
    that word replaced by another ("cointicker": Tracker -> ticker, "pancakeshop": Swap -> shop), a
    different compound, where a typo-squat's edits are one per word, or a doubled letter and one more."""
    if not words:
        return False
    for i in range(1, len(skel)):  # a doubled letter ("coinntraker") is a slip of the finger, one of the two
        if skel[i] == skel[i - 1] and edit_distance(skel[:i] + skel[i + 1:], target, 1) <= 1:
            return False
    prefix = 0
    while prefix < min(len(skel), len(target)) and skel[prefix] == target[prefix]:
        prefix += 1
    suffix = 0
    while (suffix < min(len(skel), len(target)) - prefix
           and skel[len(skel) - 1 - suffix] == target[len(target) - 1 - suffix]):
        suffix += 1
    lo, hi = prefix, len(target) - suffix  # the brand's letters that changed
    if hi - lo < 1:
        return False  # letters only inserted at one place
    start = 0
    for word in words:
        if start <= lo and hi <= start + len(word):
            return True
        start += len(word)
    return False


MAX_LOOKALIKE_MEMO = 50_000


def lookalike(domain: str, table: BrandTable, *, context: bool = True) -> Lookalike | None:
    """The brand ``domain`` imitates, or None.  Brands with everyday-word names need crypto ``context``."""
    key = (domain, context)
    try:
        return table.lookalikes[key]
    except KeyError:
        pass
    if len(table.lookalikes) >= MAX_LOOKALIKE_MEMO:
        table.lookalikes.clear()
    hit = table.lookalikes[key] = _lookalike(domain, table, context=context)
    return hit


def _lookalike(domain: str, table: BrandTable, *, context: bool) -> Lookalike | None:
    domain = to_unicode(domain)
    reg = registrable(domain)
    if not reg or table.owner(domain) is not None:
        return None
    label = first_label(reg)
    sub = domain[: -len(reg)].rstrip(".")
    sub_skels = {skeleton(s) for s in _HOST_PARTS.split(sub) if s}
    idn = not label.isascii()
    for brand in table.brands:
        weak = bool(brand.weak_names)
        if weak and not context:
            # an everyday word ("Gemini", "Ledger") needs crypto context, but not its mixed-script spelling:
            # nobody writes the word "gemіni" with a Cyrillic і except to pass for the brand
            if idn and any(_label_reason(label, bl, True) == "homoglyph" for bl in brand.labels):
                return Lookalike(brand, domain, "homoglyph (internationalised spelling)")
            if any(self_evident(label, bl) for bl in brand.labels):
                return Lookalike(brand, domain, SELF_EVIDENT)
            continue
        if sub and any(f".{own}." in f".{sub}." for own in brand.domains):
            return Lookalike(brand, domain, "brand domain inside another domain")
        if sub and any(skeleton(bl) in sub_skels for bl in brand.labels):
            return Lookalike(brand, domain, "brand in a subdomain of another domain")
        native = normalize(label)
        if not native.isascii() and any(normalize(n).replace(" ", "") == native for n in brand.names):
            return Lookalike(brand, domain, "brand name as an IDN label")
        for brand_label in brand.labels:
            reason = _label_reason(label, brand_label, weak, _brand_words(brand, brand_label))
            if reason:
                return Lookalike(brand, domain, reason)
    return None


def lookalike_links(urls: Iterable[FoundUrl], table: BrandTable, own: Brand | None, ctx: AnalysisContext, *,
                    context: bool) -> Iterator[Finding]:
    """brand.lookalike_link for the hosts of ``urls`` (every URL of the message: body, documents, QR codes)
    that imitate a brand other than the sender's own; at most MAX_LINK_FINDINGS."""
    reported = 0
    seen: set[str] = set()
    for found in urls:
        host = url_host(found.url)
        if not host or host in seen or ip_host(host):
            continue
        seen.add(host)
        if len(seen) > MAX_LINK_HOSTS:
            break
        ctx.budget.check_time()
        hit = lookalike(host, table, context=context)
        if hit is None or (own is not None and hit.brand.id == own.id):
            continue
        detail = f"link to {hit.domain} imitates {hit.brand.display} ({hit.reason})"
        if found.via:
            detail += f" behind a redirect on {found.via}"
        if found.kind != BODY:
            detail += f", {found.where}"
        yield Finding("brand.lookalike_link", NAME, "", detail)
        reported += 1
        if reported >= MAX_LINK_FINDINGS:
            break


# ---------------------------------------------------------------------------- the analyzer


def _message_lures(msg: MessageInfo, ctx: AnalysisContext) -> LureMatch:
    return match_parts((msg.subject, msg.from_display, msg.body_text), lures_for(ctx), ctx)


def crypto_context(msg: MessageInfo, ctx: AnalysisContext, table: BrandTable) -> bool:
    """Does the mail talk about crypto, or read like a lure (topic phrase, lure weight, distinctive brand)?"""
    m = _message_lures(msg, ctx)
    if m.topic or m.weight >= CONTEXT_LURE_WEIGHT:
        return True
    return bool(mentioned_norm(normalized_join(ctx, msg.subject, msg.from_display, msg.body_text), table,
                               context=False))


def domain_context(msg: MessageInfo, urls: Iterable[FoundUrl], table: BrandTable, ctx: AnalysisContext) -> bool:
    """Is the From domain or a link host an everyday-word brand with crypto or account words
    (:func:`self_evident`: "phantom-wallet-update.com", "jup-claim.web.app")?  The domain then gives the
    mail the crypto context its words may lack (a picture and a button)."""
    hosts = [msg.from_domain] if msg.from_domain else []
    seen: set[str] = set()
    for found in urls:
        host = url_host(found.url)
        if host and host not in seen and not ip_host(host):
            seen.add(host)
            hosts.append(host)
            if len(seen) >= MAX_LINK_HOSTS:
                break
    for host in hosts:
        ctx.budget.check_time()
        hit = lookalike(host, table, context=False)
        if hit is not None and hit.reason == SELF_EVIDENT:
            return True
    return False


#: Lure weight (lures.txt, topic words not counted) that makes a brand's everyday-word name in the From
#: display name a claim to be that brand ("Kraken <x@elsewhere>" asking for a 2FA verification).
DISPLAY_CLAIM_LURE_WEIGHT = 2.0


def display_claims_weak_brand(msg: MessageInfo, ctx: AnalysisContext, table: BrandTable) -> bool:
    """Does the From display name use a brand's everyday-word name while the mail pushes (call to action,
    pressure, a secret)?  A sender calling itself "Kraken" or "Ledger Support" claims to be the brand."""
    if not msg.from_display or not mentioned(msg.from_display, table, context=True, ctx=ctx):
        return False
    pushed = sum(t.weight for t in _message_lures(msg, ctx).terms if not is_topic(t))
    return pushed >= DISPLAY_CLAIM_LURE_WEIGHT


#: Lure weight (not topic) that a mail whose From display name and From domain claim the same everyday-word
#: brand must carry when it links nowhere on that domain: a call to action ("sign in" weighs 0.5).
AGREEMENT_LURE_WEIGHT = 0.5


def display_and_domain_agree(msg: MessageInfo, urls: Iterable[FoundUrl], table: BrandTable,
                             ctx: AnalysisContext) -> bool:
    """Do the From display name and the From domain claim the same everyday-word brand, and the mail sends
    the reader somewhere?  "Kraken <statements@kraken-statements.com>": the display name uses the brand's
    name and the domain's label is the brand's label plus glue words only (:data:`GLUE_WORDS`, hyphenated or
    glued; not the brand's own domain).  Each is context for the other: which Kraken is meant is what both
    say.  An ordinary business named by the word has its own words in its domain ("phantom-plumbing",
    "kraken-rum").  The mail must ask (a call to action) or link into that same domain (a login page there)."""
    if not msg.from_display or not msg.from_domain or table.owner(msg.from_domain) is not None:
        return False
    reg = registrable(to_unicode(msg.from_domain))
    named = mentioned(msg.from_display, table, context=True, ctx=ctx) if reg else set()
    label = first_label(reg) if reg else ""
    if not any(table.brands[idx].weak_names
               and any(_label_reason(label, bl, True) in ("brand plus word", "brand glued to a word")
                       for bl in table.brands[idx].labels) for idx in named):
        return False
    if sum(t.weight for t in _message_lures(msg, ctx).terms if not is_topic(t)) >= AGREEMENT_LURE_WEIGHT:
        return True
    for count, found in enumerate(urls):
        if count >= MAX_LINK_HOSTS:
            break
        host = url_host(found.url)
        if host and not ip_host(host) and registrable(to_unicode(host)) == reg:
            return True
    return False


def account_wording(msg: MessageInfo, ctx: AnalysisContext) -> str:
    """The lure wording of the mail: at least two kinds (call to action, pressure, bait, a wallet secret
    asked for...) weighing ACCOUNT_LURE_WEIGHT together; '' otherwise.  Subject matter ("connect wallet",
    "private key" in a conference programme) alone is not enough."""
    match = _message_lures(msg, ctx)
    kinds = lure_kinds(match) & ACCOUNT_LURE_CATEGORIES
    terms = [t for t in match.terms if t.category in kinds and not is_topic(t)]
    if len(kinds) < 2 or sum(t.weight for t in terms) < ACCOUNT_LURE_WEIGHT:
        return ""
    return ", ".join(t.phrase for t in sorted(terms, key=lambda t: -t.weight)[:3])


#: brand.impersonation from the mail's header logo: the first picture of the HTML body, whose alt text is
#: who the mail says it is from ("MetaMask", "Ledger logo"), as the From display name is.  A newsletter's
#: first picture is its own masthead; an article's photo of an exchange comes later.
SCORE_LOGO = 3.0
LOGO_ALT_MAX = 40
LOGO_SCAN_CHARS = 256 * 1024
_ALT = re.compile(r"""\balt\s*=\s*(?:"([^"]{1,200})"|'([^']{1,200})'|([^\s>"']{1,200}))""", re.IGNORECASE)


_HREF = re.compile(r"""\bhref\s*=\s*["']?([^"'\s>]{1,2000})""", re.IGNORECASE)
_TAG = re.compile(r"<[^>]{0,2000}>")
_HOSTISH = re.compile(r"(?<![\w.-])(?:https?://)?((?:[a-z0-9\u00a1-\uffff-]{1,63}\.)+[a-z\u00a1-\uffff]{2,63})(?![\w-])")
#: Most ``<a`` openings looked at per message, and characters looked at around each (bounded, linear work).
MAX_ANCHOR_TAGS = 5000
ANCHOR_SPAN = 2000


def _body_html(items: Sequence[Item], limit: int) -> Iterator[str]:
    """The first ``limit`` bytes of each HTML body part of the message (not of attachments), as text."""
    for item in items:
        if item.role == Role.BODY and item.depth == 0 and item.type == ItemType.HTML:
            yield decode_item(item, limit)


def logo_alt(items: Sequence[Item]) -> tuple[str, str]:
    """(alt text, host of the link around it) of the first picture of the message's HTML body; the alt text
    is '' when there is none or it is too long for a logo."""
    import html as html_lib

    for html in _body_html(items, LOGO_SCAN_CHARS):
        lower = html.lower()
        pos = lower.find("<img")
        if pos < 0:
            continue
        end = html.find(">", pos, pos + ANCHOR_SPAN)
        m = _ALT.search(html, pos, end if end > 0 else pos + ANCHOR_SPAN)
        alt = " ".join(html_lib.unescape(next(g for g in m.groups() if g)).split()) if m else ""
        opened = lower.rfind("<a ", max(0, pos - ANCHOR_SPAN), pos)
        host = ""
        if opened >= 0 and lower.find("</a", opened, pos) < 0:
            href = _HREF.search(html, opened, pos)
            host = _href_host(href.group(1)) if href else ""
        return (alt if len(alt) <= LOGO_ALT_MAX else ""), host
    return "", ""


def anchors(items: Sequence[Item], ctx: AnalysisContext) -> list[tuple[str, str]]:
    """(href, visible text) of the links in the message's HTML body parts, bounded.

    A scan with ``str.find`` rather than one regular expression over the document: hostile markup
    (thousands of unclosed ``<a``) stays linear.
    """
    out: list[tuple[str, str]] = []
    seen = 0
    for html in _body_html(items, MAX_HTML_SCAN):
        lower = html.lower()
        pos = lower.find("<a")
        while pos >= 0 and seen < MAX_ANCHOR_TAGS and len(out) < MAX_ANCHORS:
            seen += 1
            nxt = pos + 2
            if lower[nxt:nxt + 1] in (" ", "\t", "\n", "\r"):
                close = lower.find(">", nxt, nxt + ANCHOR_SPAN)
                if close > 0:
                    href = _HREF.search(html, nxt, close)
                    end = lower.find("</a", close, close + ANCHOR_SPAN)
                    if href and end > 0:
                        text = " ".join(_TAG.sub(" ", html[close + 1:end]).split())
                        if text:
                            out.append((href.group(1), text[:300]))
                        nxt = end
            pos = lower.find("<a", nxt)
        ctx.budget.check_time()
    return out


_COIN_AMOUNT = re.compile(r"(?:btc|eth|bnb|ltc|trx|sol)$")


def balance_bait(norm: str, table: BrandTable, *, context: bool = False) -> str:
    """'<amount> <brand>' when a money/coin amount directly precedes a brand name in normalised ``norm``.

    Brands with everyday-word names ("Ledger", "Kraken") count when the mail has crypto ``context``
    or the amount is in coins ("1.364 BTC KRAKEN": the coin says what the word means).
    """
    if _BALANCE_GATE.search(norm) is None:
        return ""
    for n, m in enumerate(_BALANCE.finditer(norm)):
        if n >= 200:
            break
        weak_ok = context or bool(_COIN_AMOUNT.search(m.group(0)))
        after = norm[m.end():m.end() + BALANCE_WINDOW]
        head = re.match(r"[\s\-–:|/()]*(\S+)(?:\s(\S+))?", after)
        if head is None:
            continue
        for name in (head.group(1), f"{head.group(1)} {head.group(2)}" if head.group(2) else ""):
            if name and mentioned_norm(name, table, context=weak_ok):
                return f"{m.group(0)} {name}"
        before = re.search(r"(\S+)[\s\-–:|/()]*$", norm[max(0, m.start() - BALANCE_WINDOW):m.start()])
        if before and mentioned_norm(before.group(1), table, context=weak_ok):  # "BINANCE 136 138 EURO"
            return f"{before.group(1)} {m.group(0)}"
    return ""


def _leading_brand(words: str, table: BrandTable, context: bool) -> int | None:
    """The brand that the first of ``words`` (up to three) begin with: 'Trust Wallet Inc' -> Trust Wallet."""
    parts = normalize(words).split(" ")[:3]
    for k in range(1, len(parts) + 1):
        found = mentioned_norm(" ".join(parts[:k]), table, context=context)
        if found and not mentioned_norm(" ".join(parts[1:k]), table, context=context):
            return min(found)
    return None


def signoff_brands(body: str, table: BrandTable, *, context: bool) -> dict[int, str]:
    """Brand index -> the sign-off that claims to be it (a copyright line, a team signature) in ``body``."""
    out: dict[int, str] = {}
    text = body[:SIGNOFF_SCAN_CHARS]
    low = text.lower()
    seen = 0
    for m in _COPYRIGHT.finditer(text) if any(w in low for w in _COPYRIGHT_NEEDLES) else ():
        seen += 1
        if seen > MAX_SIGNOFFS:
            break
        if _CREDIT.search(text[max(0, m.start() - 12):m.start()]):
            continue
        idx = _leading_brand(m.group("name"), table, context)
        if idx is not None:
            out.setdefault(idx, " ".join(m.group(0).split())[:60])
    for n, m in enumerate(_TEAM.finditer(text) if any(w in low for w in _TEAM_NEEDLES) else ()):
        if n >= MAX_SIGNOFFS:
            break
        idx = _leading_brand(m.group("line") or m.group("closing") or "", table, context)
        if idx is not None:
            out.setdefault(idx, " ".join(m.group(0).split())[:60])
    return out


def _href_host(href: str) -> str:
    import html as html_lib

    href = html_lib.unescape(href).strip()
    if href.startswith("//"):
        href = "http:" + href
    if not href.lower().startswith(("http://", "https://")):
        return ""
    try:
        return (urllib.parse.urlsplit(href).hostname or "").rstrip(".")
    except ValueError:
        return ""


def link_text_mismatch(pairs: Iterable[tuple[str, str]], table: BrandTable, msg: MessageInfo,
                       ctx: AnalysisContext, *, context: bool) -> tuple[float, str] | None:
    """(score, detail) for the strongest link whose visible text is/names a brand but goes elsewhere."""
    best: tuple[float, str] | None = None
    sender_org: str | None = None  # looked up at the first link that needs it (most mail has no HTML link)
    for href, text in pairs:
        host = _href_host(href)
        if not host or table.owner(host) is not None:
            continue
        if sender_org is None:
            sender_org = registrable(msg.from_domain) if msg.from_domain else ""
        org = registrable(host)
        if org and org == sender_org:
            continue
        shown = [table.owner(h) for h in _HOSTISH.findall(normalize(text))]
        owners = [b for b in shown if b is not None]
        if owners:
            score, what = SCORE_LINK_TEXT_URL, f"shows a {owners[0].display} address"
        else:
            named = mentioned(text, table, context=context, ctx=ctx)
            if not named:
                continue
            score, what = SCORE_LINK_TEXT_NAME, f"names {table.brands[min(named)].display}"
        if best is None or score > best[0]:
            best = (score, f"link text {text[:60]!r} {what} but goes to {host}")
            if score >= SCORE_LINK_TEXT_URL:
                break
    return best


#: A news outlet named after a chain or coin ("Arbitrum News" from arbitrumnews.example, "Solana Daily"): the
#: brand's label with only these words in the outlet's own registrable label.  Its mailing without lure wording
#: is that outlet's newsletter, not an impersonation (the false-positive technique of crypto news outlets); with
#: lure wording, or not a mailing, the label is judged as any other look-alike.
EDITORIAL_WORDS = frozenset({
    "news", "daily", "weekly", "digest", "magazine", "times", "today", "insider", "journal", "report", "post",
    "press", "media", "blog", "world", "wire", "radio", "podcast", "newsletter", "brief", "briefing",
})
_EDITORIAL_MAX = max(len(w) for w in EDITORIAL_WORDS)


def _only_editorial(rest: str) -> bool:
    """Whether ``rest`` (a label without the brand, hyphens dropped) is one or more editorial words, nothing else."""
    ok = [True] + [False] * len(rest)
    for end in range(1, len(rest) + 1):
        ok[end] = any(ok[start] and rest[start:end] in EDITORIAL_WORDS
                      for start in range(max(0, end - _EDITORIAL_MAX), end))
    return bool(rest) and ok[-1]


def editorial_outlet(msg: MessageInfo, table: BrandTable, ctx: AnalysisContext) -> Brand | None:
    """The brand a mailing's From domain is an editorial outlet of (see :data:`EDITORIAL_WORDS`), or None."""
    if not is_mailing(msg) or account_wording(msg, ctx):
        return None
    label = first_label(registrable(msg.from_domain)).lower().replace("-", "")
    if not label.isascii():
        return None
    for brand in table.brands:
        for brand_label in brand.labels:
            start = label.find(brand_label) if len(brand_label) >= 3 else -1
            if start >= 0 and _only_editorial(label[:start] + label[start + len(brand_label):]):
                return brand
    return None


#: Where a brand named in a mailing that asks nothing is the mailing's subject matter: its Subject and body (the
#: From display name, the header logo and the sign-off claim to be the brand).
_EDITORIAL_PLACES = frozenset({"Subject", "body"})


def editorial(msg: MessageInfo, best: dict[int, tuple[float, str]], asks: bool = True) -> bool:
    """Whether the brands ``best`` found are a mailing's editorial mentions: several brands named in the body
    only (see EDITORIAL_BRANDS), or -- in a mailing that asks nothing of the reader (``asks``: no call to
    action, wallet secret or demand) -- brands named only in its Subject and body, none claimed as the sender
    ("Episode 212: the ZKsync airdrop, one month later": a podcast's or digest's topic, not its author)."""
    if not best or not is_mailing(msg):
        return False
    if len(best) >= EDITORIAL_BRANDS and max(score for score, _ in best.values()) <= SCORE_BODY:
        return True
    return not asks and all(where in _EDITORIAL_PLACES for _, where in best.values())


def asks_the_reader(msg: MessageInfo, ctx: AnalysisContext) -> bool:
    """Does the mail ask the reader to act (a call to action, a wallet secret, extortion wording)?"""
    return any(t.category in ("action", "secret", "extortion") for t in _message_lures(msg, ctx).terms)


#: Shortest brand name (letters and digits) looked for in a From display name written apart.
COLLAPSED_MIN = 6
#: Most display-name pieces joined to spell one name.
COLLAPSED_PIECES = 4
_SEPARATORS = re.compile(r"[\W_]+")


def collapsed_display_brands(display: str, table: BrandTable, ctx: AnalysisContext) -> set[int]:
    """Brands whose distinctive name the From display name spells across pieces split by spaces, dots,
    underscores or hyphens ("Coin Base Support", "Bit-Get", "M.E.T.A.M.A.S.K"): the name broken up so
    that a word filter misses it.  Whole pieces only ("Korbitz" is no Korbit), names of COLLAPSED_MIN+
    characters that are not everyday words (``names``, not ``weak_names``)."""
    pieces = [p for p in _SEPARATORS.split(normalized(ctx, display)) if p][:40]
    if len(pieces) < 2:
        return set()
    spelt = {"".join(pieces[i:j]) for i in range(len(pieces))
             for j in range(i + 2, min(len(pieces), i + COLLAPSED_PIECES) + 1)}
    spelt |= {"".join(pieces)} if all(len(p) == 1 for p in pieces) else set()
    return {i for i, brand in enumerate(table.brands) if not spelt.isdisjoint(_collapsed_names(brand))}


@lru_cache(maxsize=1024)
def _collapsed_names(brand: Brand) -> frozenset[str]:
    flat = (_SEPARATORS.sub("", normalize(name)) for name in brand.names)
    return frozenset(n for n in flat if n.isascii() and len(n) >= COLLAPSED_MIN)


class BrandAnalyzer:
    """Brand named by a sender who is not the brand; look-alike sender domains and link hosts."""

    name: ClassVar[str] = NAME
    after: ClassVar[tuple[str, ...]] = ("dkim_auth", "dmarc_auth")  # reads DKIM_ALIGNED, DMARC_PASS
    codes: ClassVar[tuple[CodeInfo, ...]] = (
        CodeInfo("brand.impersonation", SCORE_DISPLAY, Category.SENDER,
                 "an exchange/wallet brand is named in the From display name (5), the body's sign-off ('© 2024 "
                 "Ledger', 'The MetaMask Team': 4), Subject or header logo's alt text (3) or body (1) but the "
                 "From domain is not one of the brand's domains"),
        CodeInfo("brand.lookalike_domain", 8.0, Category.SENDER,
                 "the From domain imitates a brand's domain (homoglyphs/IDN, edit distance, brand-plus-word, "
                 "brand in a subdomain of another registrable domain)"),
        CodeInfo("brand.lookalike_link", 5.0, Category.SENDER,
                 "a link points to a host that imitates a brand's domain (in the body, a PDF or Office document, "
                 "the text of an attachment, a QR code, or behind an open redirect)"),
        CodeInfo("brand.balance_bait", SCORE_BALANCE_BAIT, Category.SENDER,
                 "a large money/coin amount written right before an exchange's name ('127 325 USD BINANCE'), "
                 "sent by someone else: a fake balance"),
        CodeInfo("brand.link_text_mismatch", SCORE_LINK_TEXT_URL, Category.SENDER,
                 "a link's visible text is a brand's web address (5) or names the brand (2) but the link goes to "
                 "another domain (neither the brand's nor the sender's)"),
        CodeInfo("brand.tenant_sender", SCORE_TENANT, Category.SENDER,
                 "crypto or brand mail sent from a free cloud tenant's or app host's default domain "
                 "(*.onmicrosoft.com trial tenants, Firebase app domains, appspotmail.com): no domain of its own"),
    )

    def analyze_message(
        self, msg: MessageInfo, items: Sequence[Item], findings: Sequence[Finding], ctx: AnalysisContext
    ) -> Iterator[Finding]:
        table = brands_for(ctx)
        if not table.brands or verified_brand_sender(msg, findings, ctx):
            return  # a brand's own, DKIM-verified mail names brands and links its own domains
        urls = message_urls(msg, items, ctx)
        context = (crypto_context(msg, ctx, table) or display_claims_weak_brand(msg, ctx, table)
                   or domain_context(msg, urls, table, ctx) or display_and_domain_agree(msg, urls, table, ctx))
        # (an outlet named after a chain is judged as that name's owner for its own mailing: editorial_outlet)
        own = table.owner(msg.from_domain) or editorial_outlet(msg, table, ctx)
        sender = msg.from_domain or "(no From domain)"
        logo, logo_link = logo_alt(items)
        if logo and logo_link and table.owner(logo_link) is not None:
            logo = ""  # a sponsor's banner, linked to the sponsor's own site
        places = ((msg.from_display, SCORE_DISPLAY, "From display name"), (msg.subject, SCORE_SUBJECT, "Subject"),
                  (logo, SCORE_LOGO, f"header logo (alt text {logo!r})"), (msg.body_text, SCORE_BODY, "body"),
                  (freemail_address_words(msg), SCORE_FREEMAIL_ADDRESS, "free mailbox's address"))
        best: dict[int, tuple[float, str]] = {}
        for text, score, where in places:
            for idx in mentioned(text, table, context=context, ctx=ctx):
                if score > best.get(idx, (0.0, ""))[0]:
                    best[idx] = (score, where)
        if context and msg.from_display and not any(where == "From display name" for _, where in best.values()):
            for idx in collapsed_display_brands(msg.from_display, table, ctx):
                best[idx] = (SCORE_DISPLAY, "From display name (written apart)")
        if not is_forwarded(msg.subject, msg.body_text):
            for idx, claim in signoff_brands(msg.body_text, table, context=context).items():
                if best.get(idx, (0.0, ""))[0] < SCORE_SIGNOFF:
                    best[idx] = (SCORE_SIGNOFF, f"body's sign-off ({claim!r})")
        wording = account_wording(msg, ctx) if best else ""
        if not wording and editorial(msg, best, asks=asks_the_reader(msg, ctx)):
            best = {}  # a mailing's body naming several brands in passing: a discussion, not a claim
        for idx, (score, where) in sorted(best.items(), key=lambda kv: -kv[1][0]):
            brand = table.brands[idx]
            if own is not None and own.id == brand.id:
                continue
            detail = f"{brand.display} named in the {where}, sent from {sender}"
            if wording and score < SCORE_DISPLAY:
                score = min(SCORE_DISPLAY, score + ACCOUNT_BONUS)
                detail += f", with account wording ({wording})"
            yield Finding("brand.impersonation", NAME, "", detail, score=score)
            break  # the code counts once per message: report the strongest claim
        bait = balance_bait(normalized_join(ctx, msg.subject, msg.body_text), table, context=context)
        if bait:
            yield Finding("brand.balance_bait", NAME, "", f"'{bait[:80]}' sent from {sender}")
        mismatch = link_text_mismatch(anchors(items, ctx), table, msg, ctx, context=context)
        if mismatch is not None:
            yield Finding("brand.link_text_mismatch", NAME, "", mismatch[1], score=mismatch[0])
        if msg.from_domain:
            hit = lookalike(msg.from_domain, table, context=context)
            if hit is not None and not (own is not None and hit.brand.id == own.id):
                yield Finding("brand.lookalike_domain", NAME, "",
                              f"From domain {hit.domain} imitates {hit.brand.display} ({hit.reason})")
        yield from lookalike_links(urls, table, own, ctx, context=context)
        tenant = tenant_sender(msg) if best or (context and _pushes(msg, ctx)) else ""
        if tenant:
            yield Finding("brand.tenant_sender", NAME, "", f"sent from the free tenant domain {tenant}")


#: Lure wording (not topic) a crypto mail from a free tenant must push for brand.tenant_sender to count: a
#: firm's market note from its Microsoft 365 tenant informs.
TENANT_PUSH_WEIGHT = 2.0


def _pushes(msg: MessageInfo, ctx: AnalysisContext) -> bool:
    return sum(t.weight for t in _message_lures(msg, ctx).terms if not is_topic(t)) >= TENANT_PUSH_WEIGHT


def _tenant(domain: str) -> str:
    domain = domain.strip().strip(".").lower()
    return next((domain for t in TENANT_DOMAINS if domain == t or domain.endswith("." + t)), "")


def _addr_domain(value: str) -> str:
    return value.strip().strip("<>").rpartition("@")[2].rstrip(">").strip()


def tenant_sender(msg: MessageInfo) -> str:
    """The free tenant domain (:data:`TENANT_DOMAINS`) the mail is sent from (From, envelope sender, or the
    Return-Path header of a delivered copy when there is no envelope), or ''."""
    senders = [msg.from_domain, _addr_domain(msg.envelope_from)]
    if not msg.envelope_from:
        senders += [_addr_domain(v) for k, v in msg.headers[:100] if k.lower() == "return-path"]
    return next((t for t in map(_tenant, senders) if t), "")

