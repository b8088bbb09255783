"""Crypto lure language: normalisation, the lure list format, scoring per place."""

from __future__ import annotations

from pathlib import Path

import pytest

from coinguard.analyzers.crypto_theme import BODY, SUBJECT, CryptoThemeDocument, CryptoThemeMessage
from coinguard.config import Config, CryptoConfig
from coinguard.findings import Finding, Item, Role
from coinguard.handlers import MessageInfo, text_item
from coinguard.lures import load_lures, match_lures
from coinguard.sniff import ItemType

from helpers import make_context

LURES = load_lures(CryptoConfig().lures_file)


def codes(findings: list[Finding]) -> dict[str, float]:
    return {f.code: f.score or 0.0 for f in findings}


def run_message(**kw: object) -> dict[str, float]:
    msg = MessageInfo(**kw)  # type: ignore[arg-type]
    return codes(list(CryptoThemeMessage().analyze_message(msg, (), (), make_context(message=msg))))


def test_one_weak_word_never_tags() -> None:
    assert run_message(subject="Your wallet", body_text="I left my wallet at your place.") == {}
    # a Korean bank notice mentioning 코인 once, with deposit/withdrawal wording
    body = "고객님의 계좌에 입금이 완료되었습니다. 출금 가능 금액을 확인하세요. 코인 노래방 할인 쿠폰 증정."
    assert run_message(subject="[국민은행] 입출금 알림", body_text=body) == {}


def test_topic_alone_is_capped_news_is_not_a_lure() -> None:
    body = "Bitcoin and Ethereum rallied; DeFi, NFTs, stablecoins and blockchain news from the crypto market."
    m = match_lures(body, LURES)
    assert m.weight <= 3.0
    assert BODY.code not in run_message(body_text=body)


def test_phishing_body_scores_high() -> None:
    body = ("Your MetaMask wallet will be suspended within 24 hours. To avoid permanent loss of funds, "
            "verify your wallet and enter your 12-word secret recovery phrase now.")
    found = run_message(subject="Action required: wallet verification", body_text=body)
    assert found[BODY.code] >= 4.5
    assert found[SUBJECT.code] >= 2.0


def test_korean_phishing() -> None:
    found = run_message(subject="[업비트] 출금 제한 안내", body_text="비정상 로그인이 감지되어 계정이 정지되었습니다. "
                        "지갑 인증을 위해 개인키와 복구 구문을 입력하세요.")
    assert found[BODY.code] >= 4.0
    assert SUBJECT.code not in found or found[SUBJECT.code] <= 3.0


def test_attachment_names() -> None:
    found = run_message(attachment_names=("MetaMask_Wallet_Recovery_Phrase.pdf",))
    assert "crypto.lure.attachment_name" in found
    assert run_message(attachment_names=("invoice_2024.pdf", "wallet.jpg")) == {}


def test_document_text_item() -> None:
    parent = Item(path="notice.docx", name="notice.docx", data=b"PK", type="ooxml.word")
    item = text_item(parent, "Staking rewards airdrop: connect your wallet and claim your tokens before "
                     "the snapshot; unclaimed rewards will be permanently lost.", "doctext")
    analyzer = CryptoThemeDocument()
    assert analyzer.applies_to(item)
    found = list(analyzer.handle(item, make_context()))
    assert [f.code for f in found] == ["crypto.lure.document"]
    assert found[0].path == item.path
    body = Item(path="<body 1>", name="", data=b"airdrop", type="text", role="body")
    assert not analyzer.applies_to(body)


def test_verified_brand_sender_caps_lures() -> None:
    msg = MessageInfo(from_domain="upbit.com", body_text="Withdrawal of your wallet: staking rewards airdrop, "
                      "verify your identity (KYC) to claim your reward within 24 hours.")
    ctx = make_context(message=msg)
    aligned = [Finding("dkim.aligned", "dkim_auth", "", "d=upbit.com")]
    capped = codes(list(CryptoThemeMessage().analyze_message(msg, (), aligned, ctx)))
    uncapped = codes(list(CryptoThemeMessage().analyze_message(msg, (), (), ctx)))
    assert capped[BODY.code] == 1.0
    assert uncapped[BODY.code] > 3.0


def test_extra_lures_from_config_and_regex(tmp_path: Path) -> None:
    path = tmp_path / "lures.txt"
    path.write_text("# mine\n2 topic moonshot coin\n", encoding="utf-8")
    lures = load_lures(str(path), ("3 secret re:\\bwallet\\.dat\\b",))
    m = match_lures("send me wallet.dat for the moonshot-coin", lures)
    assert {t.phrase for t in m.terms} == {"moonshot coin", "wallet.dat"}
    assert m.weight == 5.0
    cfg = Config(crypto=CryptoConfig(lures_file=str(path), extra_lures=("4 secret vault key",)))
    msg = MessageInfo(body_text="Give us the vault key for the moonshot coin")
    found = codes(list(CryptoThemeMessage().analyze_message(msg, (), (), make_context(config=cfg, message=msg))))
    assert BODY.code in found


def test_end_to_end_news_digest_and_friend_mail_stay_clean() -> None:
    from coinguard.scan import ScanContext, scan_message

    from helpers import make_message

    digest = make_message(
        sender="Market Wrap <digest@marketwrap-news.example>", subject="Bitcoin tops $100k as ETF inflows grow",
        body=("Bitcoin and Ethereum rallied this week. Analysts at Coinbase and Binance expect more ETF deposits; "
              "DeFi staking yields fell while NFT volumes recovered. Withdrawals from exchanges hit a yearly high, "
              "and stablecoin supply (USDT, USDC) grew. Read the full crypto market report on our site.\n"))
    friend = make_message(sender="Min-jun <minjun@example.kr>", subject="주말 계획",
                          body="토요일에 코인 노래방 갈래? 지갑 챙겨 와. 입금은 내가 할게.\n")
    for raw in (digest, friend):
        v = scan_message(raw, ScanContext())
        assert v.score < 5, v.to_json()


def test_subject_and_body_are_read_together() -> None:
    # the topic and amount in the Subject, the pressure and the call to action in the body
    found = run_message(subject="Bitcoin balance 0.7495 BTC",
                        body_text="Withdraw your 12,346$ now, you have only 24 hours before the account is blocked.")
    assert found["crypto.lure.body"] >= 4.0
    assert found["crypto.lure.subject"] >= 2.5


def test_lure_anatomy_scores_above_subject_matter() -> None:
    pushy = run_message(body_text="Your bitcoin wallet has been credited with 2.5 BTC. Claim your reward now: "
                                  "withdraw the funds within 24 hours or they will be lost.")
    informative = run_message(body_text="Bitcoin and ethereum prices, DeFi, web3 wallets and smart contract "
                                        "audits: our weekly crypto research, with a private key management guide.")
    assert pushy["crypto.lure.body"] >= 5.0
    assert informative.get("crypto.lure.body", 0.0) < 4.0


def test_exchange_name_gives_the_topic() -> None:
    # no crypto word, but an exchange named next to account-takeover wording
    found = run_message(subject="[Action required] Verify your info",
                        body_text="Coinbase: your account is now locked. Verify your info and sign in to unlock it "
                                  "as soon as possible.")
    assert "crypto.lure.body" in found
    assert run_message(body_text="Your account is now locked. Verify your info and sign in.") == {}


def test_image_only_lure() -> None:
    found = run_message(subject="Airdrop is live: claim your tokens", body_text="https://x.example/u  unsubscribe")
    assert found["crypto.lure.image_only"] == 3.0
    assert "crypto.lure.image_only" not in run_message(subject="Airdrop is live: claim your tokens",
                                                       body_text="Hello, " + "we talked about it yesterday. " * 5)
    assert "crypto.lure.image_only" not in run_message(subject="Your wallet", body_text="")


def test_text_is_normalised_once_per_message(monkeypatch: pytest.MonkeyPatch) -> None:
    import coinguard.text as ct
    from coinguard.analyzers.brands import BrandAnalyzer
    from coinguard.analyzers.seed_phrase import SeedPhraseMessage

    calls: list[int] = []
    real = ct.normalize

    def counting(text: str) -> str:
        calls.append(len(text))
        return real(text)

    monkeypatch.setattr(ct, "normalize", counting)
    body = "Your bitcoin wallet needs a verification. " * 2000
    msg = MessageInfo(subject="Wallet notice", from_display="Support", from_domain="x.example", body_text=body)
    ctx = make_context(message=msg)
    for analyzer in (CryptoThemeMessage(), BrandAnalyzer(), SeedPhraseMessage()):
        list(analyzer.analyze_message(msg, (), (), ctx))
    assert sum(1 for n in calls if n >= len(body)) == 1  # the big body: one normalisation for all three




def test_image_only_needs_a_lure_subject_and_a_picture() -> None:
    # issue 11 false positive: a newsletter's topic Subject over a one-line body is no image-only lure
    assert "crypto.lure.image_only" not in run_message(subject="This week in crypto: bitcoin and ethereum",
                                                       body_text="https://news.example/read  unsubscribe")
    assert "crypto.lure.image_only" not in run_message(subject="Airdrop is live: claim your tokens",
                                                       body_text="See you at the meetup on Friday.")
    picture = Item(path="<inline 1>", name="qr.png", data=b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
                   type=ItemType.IMAGE_PNG, role=Role.INLINE)
    msg = MessageInfo(subject="Airdrop is live: claim your tokens", body_text="Scan me")
    found = codes(list(CryptoThemeMessage().analyze_message(msg, (picture,), (), make_context(message=msg))))
    assert found["crypto.lure.image_only"] == 3.0


def test_call_to_action_with_bait_is_the_anatomy_of_a_lure() -> None:
    # technique: a call to action plus bait (tokens allocated to you) with the topic, no pressure needed
    found = run_message(subject="Your token allocation",
                        body_text="The second token distribution has started. Sign in to your wallet dashboard, "
                                  "check your eligibility and claim your tokens before the portal closes.")
    told = run_message(subject="Your token allocation",
                       body_text="The second token distribution has started, says the project's wallet dashboard.")
    assert found["crypto.lure.body"] >= 4.5 > told.get("crypto.lure.body", 0.0) + 1.0


def test_topic_words_without_a_call_to_action_stay_below_the_tag_threshold() -> None:
    body = ("Bitcoin, ethereum and solana led the crypto market this week. Staking rewards on DeFi platforms, "
            "web3 wallet adoption, NFT volumes, stablecoin supply, airdrop seasons and gas fees: our analysts "
            "cover the blockchain news, with a bonus chart on cryptocurrency ETF inflows.")
    found = run_message(subject="The weekly crypto market report", body_text=body)
    assert found.get("crypto.lure.body", 0.0) <= 4.0


@pytest.mark.parametrize(("sender", "body", "fires"), [
    ("gmail.com", "Your receipt: 0.25 BTC bought on Coinbase for $14,210. Not you? Call +1 (888) 555-0199.", True),
    ("outlook.com", "Invoice 7731: crypto wallet protection renewal charged $499. Cancel: 1-844-555-0107", True),
    # the exchange's own domain, a friend with no receipt, a receipt without crypto, no telephone number
    ("coinbase-partner.example", "Your receipt: 0.25 BTC bought on Coinbase. Call +1 (888) 555-0199.", False),
    ("gmail.com", "Bitcoin meetup on Thursday, dinner is paid by the sponsor. Lost? Call me: 415-555-0134", False),
    ("gmail.com", "Your receipt for the garden chairs. Questions? Call +1 (888) 555-0199.", False),
    ("gmail.com", "Your receipt: 0.25 BTC bought on Coinbase. Order 8813-2291-7730 ships today.", False),
])
def test_callback_scam(sender: str, body: str, fires: bool) -> None:
    found = run_message(subject="Re: Thursday", from_domain=sender, body_text=body)
    assert ("crypto.callback_scam" in found) is fires
    if fires:
        assert found["crypto.callback_scam"] == 4.0


def test_forwarded_receipt_is_no_callback_scam() -> None:
    body = ("---------- Forwarded message ---------\nFrom: Coinbase <no-reply@coinbase.com>\n"
            "Your receipt: 0.25 BTC bought on Coinbase. Questions? Call +1 (888) 908-7930.")
    assert "crypto.callback_scam" not in run_message(subject="Fwd: Your receipt", from_domain="gmail.com",
                                                     body_text=body)


def test_image_lure_whose_body_only_repeats_the_subject() -> None:
    # the HTML title / alt text repeats the Subject, the rest is the unsubscribe line: no text of its own
    subject = "Bitcoin makes you rich: claim your profit"
    html = Item(path="<body 1>", name="", data=f"<html><title>{subject}</title><img src='https://x.example/a.jpg'>"
                                             "<p>To unsubscribe click here</p></html>".encode(),
                type="html", role=Role.BODY)
    msg = MessageInfo(subject=subject, body_text=f"{subject} To unsubscribe click here")
    found = codes(list(CryptoThemeMessage().analyze_message(msg, (html,), (), make_context(message=msg))))
    assert found["crypto.lure.image_only"] == 3.0


def test_wallet_scanner_lure() -> None:
    # technique: "scan your wallet for unclaimed tokens / forgotten airdrops" (a wallet-connect drainer)
    found = run_message(subject="Something you may have missed",
                        body_text="Many web3 users hold unclaimed tokens and forgotten airdrops. Scan your wallet "
                                  "in seconds to find them.")
    assert found["crypto.lure.body"] >= 5.0


def test_lookalike_letters_hide_lure_words() -> None:
    # technique: Greek/Cyrillic look-alike letters inside Latin words of the Subject ("Μetamаsk wаllet")
    found = run_message(subject="Your Μetamаsk wаllet needs an upgrade", body_text="Upgrade now.")
    assert found["crypto.lure.lookalike_letters"] == 2.0
    # Greek or Russian written in its own script, and mail that is not about crypto, are left alone
    assert "crypto.lure.lookalike_letters" not in run_message(subject="Καλημέρα, wallet update",
                                                              body_text="Ενημέρωση για το bitcoin wallet.")
    assert "crypto.lure.lookalike_letters" not in run_message(subject="Yоur оrder has shipped", body_text="Thanks.")


def test_nft_and_allocation_claims() -> None:
    # technique: an NFT or token allocation "reserved for you" that must be claimed (a drainer page)
    nft = run_message(subject="Claim your NFT", body_text="A rare collectible was reserved for you. Claim it here.")
    assert sum(nft.values()) >= 5.0 and "crypto.lure.subject" in nft
    gallery = run_message(subject="Invitation: NFT art night at the gallery",
                          body_text="Join us on Friday for an evening of digital art. A seat is reserved for you.")
    assert sum(gallery.values()) < 5.0


def test_subject_of_coin_names_alone_is_no_lure() -> None:
    # a newsletter's Subject lists coins; the Subject place needs lure wording (bait, call to action, pressure)
    assert SUBJECT.code not in run_message(subject="Krypto-Briefing: Bitcoin, Ethereum und Solana im Wochenrückblick",
                                           body_text="Die Woche an den Märkten.")
    assert run_message(subject="Bitcoin, Ethereum: withdraw now", body_text="See inside.")[SUBJECT.code] >= 2.5


def test_form_bait_asks_for_your_information_and_holds_out_a_sum() -> None:
    # the form-invitation lure: "confirm your information to receive $20,000", with the crypto topic
    m = match_lures("Confirm your information to receive $20,000 in cryptocurrency", LURES)
    assert {"confirm your information", "receive $20,000"} <= {t.phrase for t in m.terms}
    found = run_message(subject="Payment update: confirm your information to receive $20,000",
                        body_text="Your cryptocurrency payout is approved. Fill out the form to get your money.")
    assert found.get(BODY.code, 0) >= 4.5
    # coins held out to be got ("get BTC"), and money as bait ("get money"), are reward wording
    assert {"get btc", "get money"} <= {t.phrase for t in match_lures("Get BTC now and get money", LURES).terms}
    # a sum merely paid or priced is no bait
    assert not any(t.phrase.startswith("receive") for t in match_lures("The ticket costs $500.", LURES).terms)


def test_coin_amounts_in_more_tickers_and_the_bitcoin_sign() -> None:
    # a balance written with the bitcoin sign, or in the coins airdrop lures hand out (SOL, XRP, USDC)
    for text, amount in (("You received ₿0.0521 in your wallet", "₿0.0521"), ("Your balance: 12.5 SOL", "12.5 sol"),
                         ("Claim 250 XRP today", "250 xrp"), ("1,500 USDC are waiting", "1,500 usdc")):
        assert amount in {t.phrase for t in match_lures(text, LURES).terms}, text


@pytest.mark.parametrize(("text", "phrase"), [
    ("Sync wallet to continue", "sync wallet"),
    ("Connect your MetaMask wallet now", "connect your metamask wallet"),
    ("Restore the wallet with your phrase", "restore the wallet"),
    ("Migrate your assets before the upgrade", "migrate your assets"),
    ("Claim reward", "claim reward"),
    ("Join the $PEPE airdrop today", "join the $pepe airdrop"),
    ("Verify ownership of the address", "verify ownership"),
    ("Your wallet has been compromised", "wallet has been compromised"),
])
def test_wallet_and_claim_calls_to_action_in_their_other_spellings(text: str, phrase: str) -> None:
    assert phrase in {t.phrase for t in match_lures(text, LURES).terms}


def test_wallet_advice_is_no_wallet_call_to_action() -> None:
    terms = match_lures("Verify the wallet address before you send; secure your wallet with a hardware device.",
                        LURES).terms
    assert not any(t.category == "action" and t.weight >= 2 for t in terms)


@pytest.mark.parametrize(("text", "phrase"), [
    ("Introduzca su frase de recuperación para verificar", "frase de recuperacion"),
    ("Conecte sua carteira agora", "conecte sua carteira"),
    ("Entrez votre phrase de récupération", "phrase de recuperation"),
    ("Verbinden Sie Ihre Wallet, um fortzufahren", "verbinden sie ihre wallet"),
    ("Inserisci la frase di recupero", "frase di recupero"),
    ("Voer je herstelzin in", "herstelzin"),
    ("Cüzdanınızı bağlayın", "cuzdaninizi baglayin"),
    ("Введите сид-фразу", "сид-фраз"),
    ("シードフレーズを入力してください", "シードフレーズ"),
    ("请输入助记词", "助记词"),
])
def test_wallet_secret_and_connect_lures_in_other_languages(text: str, phrase: str) -> None:
    assert phrase in {t.phrase for t in match_lures(text, LURES).terms}


@pytest.mark.parametrize("text", [
    "Nunca compartas tu frase de recuperación con nadie.", "Ne communiquez jamais votre phrase de récupération.",
    "Teilen Sie niemals Ihre Wiederherstellungsphrase.", "Никогда не сообщайте сид-фразу.",
    "シードフレーズは決して教えないでください。", "切勿向任何人透露助记词。",
])
def test_the_security_disclaimer_in_other_languages_names_no_secret(text: str) -> None:
    assert not any(t.category == "secret" for t in match_lures(text, LURES).terms), text


def test_sextortion_in_its_other_usual_wordings() -> None:
    text = ("Your computer was infected with my malware. I made a split-screen video of you on the porn site. "
            "I know your password. Pay 0.05 BTC to my bitcoin address or I release everything. You have 50 hours.")
    m = match_lures(text, LURES)
    assert m.topic
    assert {"infected with my malware", "split-screen", "porn site", "i know your password",
            "release everything", "you have 50 hours"} <= {t.phrase for t in m.terms}
    found = run_message(subject="Your device", body_text=text)
    assert found[BODY.code] >= 5.0


@pytest.mark.parametrize("body", [
    "Your Bitcoin wallet received 2.1 BTC ($129,000). Confirm the transfer at https://x.example/c",
    "Vous avez reçu 0,75 BTC sur votre compte. Retirez vos fonds maintenant : https://x.example",
    "Вы получили 0,75 BTC на ваш счет. Выведите средства: https://x.example",
    "You have 2.5 ETH unclaimed. Claim now at https://x.example",
])
def test_coins_credited_to_the_reader_in_more_wordings_and_languages(body: str) -> None:
    assert run_message(subject="Notification", body_text=body).get(BODY.code, 0) >= 5.0


def test_every_anatomy_finding_needs_the_coin() -> None:
    """The premise of crypto_theme.pays_in_coin: an Anatomy with every part but the coin (no coin named, no
    coin amount, no wallet to pay into) and no address gives no extortion, fake balance or get-rich finding.
    Fails when a technique of extortion_common is changed to need no coin: then the gate must change with it."""
    import dataclasses

    from coinguard.analyzers.extortion_common import Anatomy

    values: dict[str, object] = {}
    for field in dataclasses.fields(Anatomy):
        if field.name == "threats":
            values[field.name] = ("hack: hacked", "record: video", "shame: adult", "expose: contacts", "harm: bomb")
        elif field.name == "awareness":
            values[field.name] = ()
        elif "tuple" in str(field.type):
            values[field.name] = ("x",)
        else:
            values[field.name] = "x"
    full = Anatomy(**values)  # type: ignore[arg-type]
    assert full.extortion() and full.fake_balance() and full.investment()  # every part: every technique
    coinless = dataclasses.replace(full, coin="", coin_amount="", wallet="")
    for link in (False, True):
        assert not coinless.extortion(False) and not coinless.fake_balance(link) and not coinless.investment(link)
    assert coinless.extortion(True)  # a wallet address is the coin of an extortion
    # and so is the wallet to pay into, named without the coin (extortion_common.WALLET): for an extortion only
    wallet = dataclasses.replace(coinless, wallet="x")
    for link in (False, True):
        assert wallet.extortion(False) and not wallet.fake_balance(link) and not wallet.investment(link)


def test_the_coin_gate_changes_no_anatomy_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    """anatomy_findings skips the anatomy of a text without the coin (and without an address); its findings
    are those of reading every text, on lures and on near misses that share their words."""
    import random
    import re

    from coinguard.analyzers import crypto_theme

    rng = random.Random(13)
    vocabulary = ("i have recorded you with your camera and hacked your device pay 0.05 btc to my wallet within 48 "
                  "hours or i send the video to your contacts tell nobody your account balance of 1.2 bitcoin is "
                  "credited withdraw now the fee expires today login password: tg22m487 get rich with the trading "
                  "robot earn $500 a day register now ethereum usdt krypto bitcoins satoshi together method strong "
                  "electronic tengo tu video pagar 500 € dentro de 48 horas you won 0.3 eth lorem ipsum dolor ＢＴＣ "
                  "₿0.1 сутки биткоин 비트코인 48시간 scam fraud")
    words = vocabulary.split()
    coinless = [w for w in words if not re.search(r"btc|bitcoin|eth|usdt|krypto|satoshi|₿|биткоин|비트코인|wallet", w)]
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(3, 60))) for _ in range(500)]
    texts += [" ".join(rng.choice(coinless) for _ in range(rng.randint(3, 60))) for _ in range(300)]
    flags = [(rng.random() < 0.2, rng.random() < 0.5) for _ in texts]
    gated = [list(crypto_theme.anatomy_findings(t, a, link)) for t, (a, link) in zip(texts, flags, strict=True)]
    skipped = sum(not crypto_theme.pays_in_coin(t, a) for t, (a, _link) in zip(texts, flags, strict=True))
    monkeypatch.setattr(crypto_theme, "pays_in_coin", lambda text, address: True)
    assert gated == [list(crypto_theme.anatomy_findings(t, a, link)) for t, (a, link) in zip(texts, flags, strict=True)]
    assert sum(bool(f) for f in gated) > 150 and skipped > 150  # both paths were exercised


def test_ascii_text_is_prepared_by_lowering_it_and_making_characters_spaces() -> None:
    """The premise of pays_in_coin's shortcut for ASCII text (it looks for the coin's words in the lower-case text
    before preparing it): every space-free run of the prepared text is in the lower-case text.  Fails when
    extortion_common.prepare ever joins, inserts or rewrites characters of ASCII text."""
    import random
    import string

    from coinguard.analyzers import crypto_theme
    from coinguard.analyzers.extortion_common import MAX_ANATOMY_CHARS, prepare

    rng = random.Random(23)
    pieces = [*(string.printable + "\x1c\x1d\x1e\x1f\x0b\x0c" + "  "), "\\n", "\\t", "__", "a.1", "1.a", "btc"]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 80))) for _ in range(3000)]
    texts += ["Send 0.5 BTC\r\n\tnow", "  lead  trail  ", "x" * (MAX_ANATOMY_CHARS + 5),
              "Bitcoin__Balance__0.7495__BTC", "get.up.to.1.BTC", "every day.\\n\\nPlay to win"]
    changed = 0
    for text in texts:
        lower = text[:MAX_ANATOMY_CHARS].lower()
        prepared = prepare(text)
        assert all(run in lower for run in prepared.split(" ")), repr(text)
        changed += prepared != " ".join(lower.split()) and prepared.strip() != " ".join(lower.split())
    assert changed > 100  # escapes and separators were drawn and made spaces
    assert crypto_theme._coin_words_unspaced()  # and the coin's ASCII words hold no space


def test_ascii_text_without_the_coins_words_is_not_prepared(monkeypatch: pytest.MonkeyPatch) -> None:
    from coinguard.analyzers import crypto_theme

    prepared: list[str] = []
    real = crypto_theme.prepare
    monkeypatch.setattr(crypto_theme, "prepare", lambda text: prepared.append(text) or real(text))
    assert not crypto_theme.pays_in_coin("Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 900, False)
    assert prepared == []
    # a coin's word inside another ("ether" in "together"): prepared, and the search finds no coin
    assert not crypto_theme.pays_in_coin("together with a strong method", False) and prepared
    prepared.clear()
    assert crypto_theme.pays_in_coin("Pay 0.1 BTC now", False) and prepared  # the words are there: prepared
    assert not crypto_theme.pays_in_coin("Le café est prêt", False)  # not ASCII: prepared, then searched
    assert crypto_theme.pays_in_coin("Lorem", True)  # an address is the coin


def test_threats_told_of_someone_else_are_no_extortion_wording() -> None:
    """A blurb or report tells of claims made to a third party: no reader is addressed."""
    blurb = ("A hacker records a senator through his webcam and demands 50 bitcoin within 48 hours, or the tape goes "
             "to every newspaper. A thriller out this week.")
    assert run_message(subject="New this week", body_text=blurb).get(BODY.code, 0) <= 4.0
    threat = blurb.replace("a senator through his", "you through your").replace(" A thriller out this week.", "")
    assert run_message(subject="Your webcam", body_text=threat + " Pay to my bitcoin address.")[BODY.code] >= 5.0


def test_bait_offered_to_nobody_is_news() -> None:
    """Amounts and prizes in a text addressing no reader (news of a lottery winner) are no bait."""
    news = ("A Bitcoin lottery winner in Spain collected a jackpot of 2 BTC last week; regulators say crypto casinos "
            "remain illegal.")
    assert run_message(subject="Crypto casinos", body_text=news).get(BODY.code, 0) < 4.0
    offer = "You are a Bitcoin lottery winner: collect your jackpot of 2 BTC this week at https://x.example"
    assert run_message(subject="Crypto casinos", body_text=offer)[BODY.code] >= 5.0
    # a story that ends by bidding the reader ("Sign up today", an imperative opening a sentence) is a pitch
    story = ("Investors on the show said a crypto trading robot paid them $900 a day in Bitcoin and that the banks "
             "hate it. Sign up today before the platform closes.")
    assert BODY.code in run_message(subject="The show", body_text=story)
    assert BODY.code not in run_message(subject="The show", body_text=story.replace("Sign up today", "It opened"))
    # a firm call to action is made to a reader even without a pronoun
    assert run_message(subject="Airdrop", body_text="Claim your reward: 500 USDT airdrop, connect wallet now. "
                                                    "Only 24 hours left.")[BODY.code] >= 5.0


def _reward_amounts(text: str) -> list[str]:
    return [t.phrase for t in match_lures(text, LURES).terms if t.category == "reward" and any(c.isdigit()
                                                                                             for c in t.phrase)]


@pytest.mark.parametrize("text", [
    "From 1 January the Bitcoin withdrawal fee becomes 0.0001 BTC.",
    "Your withdrawal of 0.25 BTC has been processed. Network fee: 0.0002 BTC.",
    "Early-bird tickets cost 0.05 ETH until 31 December.",
    "Please pay by bank transfer to IBAN NL91 ABNA 0417 1643 00 or, as agreed, 0.034 BTC to our wallet.",
    "Your daily withdrawal limit is raised to 5 BTC.",
    "Asking EUR 1,100 each or 0.012 BTC each, pickup in Brno.",
    "The withdrawal of 0.3 BTC you requested was completed at 14:02.",
])
def test_an_amount_the_reader_pays_or_sent_is_no_bait(text: str) -> None:
    """A fee, a price, a limit, a sum to pay, the reader's own processed withdrawal: charged, not held out."""
    assert _reward_amounts(text) == [], text


@pytest.mark.parametrize("text", [
    "Your payout of 0.25 BTC is ready. Withdraw it now.",
    "Your withdrawal of 0.4 BTC is pending: confirm within 24 hours.",
    "Pay the network fee of 0.002 BTC and receive 0.25 BTC right after.",
    "Congratulations, a bonus of 0.1 BTC has been credited.",
    # the fake transaction alert opens with the reader's sending, not reported done ("cancel if this wasn't you")
    "You sent 0.79 ETH via Ethereum network. We delayed the withdrawal; cancel it if this wasn't you.",
    # one amount held out is bait, whatever the other amounts are
    "The withdrawal fee is 0.001 BTC. Your balance: 1.47 BTC.",
])
def test_an_amount_held_out_stays_bait(text: str) -> None:
    assert _reward_amounts(text), text


def test_a_processing_time_is_no_pressure() -> None:
    """"Deposits are credited within 24 hours" says how long the sender takes; "confirm within 24 hours" presses."""
    urgency = [t for t in match_lures("Bitcoin deposits are credited within 24 hours.", LURES).terms
               if t.category == "urgency"]
    assert urgency == []
    assert [t for t in match_lures("Confirm your Bitcoin wallet within 24 hours.", LURES).terms
            if t.category == "urgency"]
    assert [t for t in match_lures("If you did not request it, contact support within 24 hours.", LURES).terms
            if t.category == "urgency"]


@pytest.mark.parametrize("subject, list_id, expected", [
    ("Re: [example/airdrop-claim] Fix proof (#42)", "example/airdrop-claim <airdrop-claim.example.github.com>",
     "Re:  Fix proof (#42)"),
    ("[Token-Sale-Dev] meeting", "<token-sale-dev.lists.example.org>", " meeting"),
    # a tag the List-Id does not hold, a tag with spaces, no List-Id: the Subject stays
    ("[claim-airdrop] now", "<weekly.news.example>", "[claim-airdrop] now"),
    ("[Claim your airdrop] now", "Claim your airdrop <x.example>", "[Claim your airdrop] now"),
    ("[airdrop-claim] Fix", "", "[airdrop-claim] Fix"),
])
def test_list_tag_named_by_the_list_id_is_no_lure_wording(subject: str, list_id: str, expected: str) -> None:
    from coinguard.analyzers.crypto_theme import list_subject

    headers = (("List-Id", list_id),) if list_id else ()
    assert list_subject(MessageInfo(subject=subject, headers=headers)) == expected


def test_repository_notification_subject_does_not_score() -> None:
    subject = "Re: [example/airdrop-claim] Fix the proof check (#42)"
    assert SUBJECT.code in run_message(subject=subject)
    # a tag the List-Id does not name stays lure wording (list_subject) -- in a mailing that asks the reader to act;
    # one that asks nothing and addresses nobody discusses its "claim" (crypto_theme.discussed, headline)
    other = (("List-Id", "<other.example.github.com>"),)
    assert SUBJECT.code in run_message(subject=subject, headers=other, body_text="Connect your wallet to claim it.")
    assert SUBJECT.code not in run_message(subject=subject, headers=other)
    assert run_message(subject=subject, headers=(("List-Id", "example/airdrop-claim <x.github.com>"),)) == {}


@pytest.mark.parametrize(("text", "named"), [
    ("Check your MOVE allocation and claim it before the window closes.", ["MOVE allocation"]),
    ("Your $ZRO allocation is ready.", ["$ZRO allocation"]),
    ("Ihre ZRC-Zuteilung wartet.", ["ZRC-Zuteilung"]),
    ("Tu asignación de JUP está lista.", []),  # (the ticker after the noun: not read)
    ("Check your seat allocation before boarding.", []),
    ("Your IPO allocation and your RSU allocation are confirmed.", []),
    ("The VLAN allocation and the AWS allocation for Q3 are attached.", []),
    ("PLEASE CHECK YOUR MOVE ALLOCATION NOW", []),  # shouted
])
def test_ticker_before_the_drops_noun(text: str, named: list[str]) -> None:
    """crypto_theme.ticker_nouns: a ticker in capitals (or a cashtag) right before "allocation" or "airdrop"."""
    from coinguard.analyzers.crypto_theme import ticker_nouns

    assert ticker_nouns(text) == named


def test_ticker_before_allocation_names_the_topic_of_a_claim() -> None:
    body = "The genesis event is complete. Check your HYPE allocation and claim it within 7 days: https://x.pages.dev"
    assert BODY.code in run_message(subject="HYPE allocation", body_text=body)
    # no call or bait beside it: a ticker before "allocation" alone says nothing
    assert run_message(subject="Budget", body_text="The TEAM allocation sheet is attached.") == {}


def test_linkless_note_whose_calls_are_nouns_is_discussed() -> None:
    """crypto_theme.discusses: a linkless mail that speaks to its reader but whose only calls are light ones, none
    opening a sentence, asks nothing that moves coins (a colleague's note on a validator's earnings)."""
    note = ("Hi, the validator earned 1.84 ETH last quarter; I put the figures in the board deck. Can you check the "
            "withdrawal schedule before Thursday?")
    assert run_message(subject="staking numbers", body_text=note).get(BODY.code, 0) <= BODY.no_action_cap
    # the same with the call in the imperative, or a link to act on, is a lure
    bid = "Your validator earned 1.84 ETH last quarter. Withdraw your rewards before Thursday."
    assert run_message(subject="staking numbers", body_text=bid)[BODY.code] > BODY.no_action_cap
    linked = note + " https://stake-desk.pages.dev/"
    assert run_message(subject="staking numbers", body_text=linked)[BODY.code] > BODY.no_action_cap


def test_guide_clause_in_a_mailing_is_no_call() -> None:
    """crypto_theme.without_guides: in a mailing, "how to revoke approvals" is what the guide explains; the same call
    in a sentence of its own, or in a mail that is no mailing, is read."""
    from coinguard.analyzers.crypto_theme import without_guides

    listed = (("List-Id", "<weekly.news.example>"),)
    guide = ("Wallet drainers abuse old unlimited token approvals. This week we show how to review and revoke "
             "approvals yourself in your wallet, and why you should ignore e-mails telling you your wallet was "
             "flagged.")
    assert without_guides("Revoke the malicious approvals now.") == "Revoke the malicious approvals now."
    assert "revoke" not in without_guides(guide)
    assert run_message(subject="How to review your token approvals", body_text=guide, headers=listed,
                       from_display="Web3 Security Weekly").get(BODY.code, 0) <= BODY.no_action_cap
    # the call in its own sentence after the colon is the lure's
    lure = "Here is how to keep your tokens: revoke the malicious approvals now before your wallet is drained."
    assert run_message(subject="Wallet alert", body_text=lure, headers=listed,
                       from_display="Wallet Guard")[BODY.code] > BODY.no_action_cap
    # a lure sent through a mailing service that says how to claim: no guide's verb introduces it, it is read
    esp = "Season 2 is live. Here's how to claim your airdrop -- connect your wallet and claim 1,200 ZKS today"
    assert without_guides(esp) == esp
    assert "claim your airdrop" not in without_guides("Learn how to claim your airdrop safely.")


#: One sentence per blind-batch-O technique (the lure's wording, none of the batch's mails) and the lure kinds it must
#: carry; the benign sentences next to each technique must carry no call, bait or pressure of it.
BATCH_O_PHRASES = [
    # double-back giveaway as an exchange of amounts, and its first-person promise
    ("Envía 0,5 ETH a la dirección del evento y recibe 1 ETH de vuelta.", {"action"}),
    ("Wir verdoppeln jede Einzahlung: nur heute.", {"reward"}),
    # fund recovery: the firm's pitch, funds traced, the advance fee, the assigned agent
    ("No recovery, no fee: book your free case evaluation.", {"reward", "action"}),
    ("Nous avons retrouvé vos fonds ; nos experts récupèrent vos bitcoins volés.", {"reward", "action"}),
    ("Para liberar o valor, pague a taxa de liberação de 300 USDT.", {"action", "urgency"}),
    ("Contacte a su agente asignado hoy.", {"action"}),
    # the drainer's security scanner and the revoke call in Spanish
    ("Our scanner flagged your wallet after it interacted with a phishing contract.", {"urgency"}),
    ("Run the wallet cleanup to remove malicious allowances.", {"action"}),
    ("Revoca los permisos de tokens ilimitados en tu billetera.", {"action", "urgency"}),
    # compliance documents or the withdrawals blocked, in French
    ("Transmettez vos justificatifs, sinon les retraits seront bloqués.", {"action", "urgency"}),
    # staking APY ending
    ("Your 20% APY on ETH ends Friday: lock your ETH now.", {"reward", "urgency", "action"}),
    ("USDT savings at 30% APY, rewards paid daily.", {"reward"}),
    # the ticket reply's wallet sync in Japanese and Chinese
    ("ウォレットを同期してください。", {"action"}),
    ("请同步钱包以恢复交易。", {"action"}),
    # second set: the event address in either word order, the x2 event, the chargeback firm, German recovery and fee,
    # the German scanner verdict, the account frozen in Spanish, the ticket's fix, the Korean sync with its particle
    ("Envía tus BTC a la dirección del sorteo.", {"action"}),
    ("Send SOL to the event wallet; the 2x giveaway ends soon.", {"action", "reward"}),
    ("Our chargeback specialists reverse bitcoin transfers.", {"reward"}),
    ("Wir haben Ihre gestohlenen Coins gefunden. Zahlen Sie die Freigabegebühr.", {"reward", "action"}),
    ("Ihre Wallet wurde als kompromittiert eingestuft.", {"urgency"}),
    ("Tu cuenta de criptomonedas será bloqueada mañana.", {"urgency"}),
    ("To resolve the pending withdrawal, click Validate.", {"urgency", "action"}),
    ("지갑을 연동해 주세요.", {"action"}),
    # third set: the drainer approved and its revoke tool, Dutch recovery, the rate before the coin and the lock call,
    # the ticket named by the fix, the wallet connection re-authenticated
    ("Your wallet signed a malicious approval; use the free revoke tool now.", {"urgency", "action"}),
    ("Wij hebben uw verloren bitcoins opgespoord. Betaal de vrijgavekosten.", {"reward", "action"}),
    ("Bloquee sus tokens: 22% en USDT hasta el viernes.", {"action", "topic"}),
    ("Pour résoudre le problème de votre dossier, connectez votre portefeuille.", {"urgency", "action"}),
    ("Re-authenticate your wallet session to release the stuck transfer.", {"action"}),
]

BATCH_O_BENIGN = [
    "Our savings account now pays 4.1% interest, compounded daily.",
    "Revoke the app's access to your calendar in the settings.",
    "Please send us your signed documents by Friday.",
    "The pool closes at 8 pm on Sundays.",
    "Book your free consultation with our tax advisor.",
    "Send the flowers to the event address by noon.",
    "Die Bearbeitungsgebühr ist in der Rechnung enthalten.",
    "Su cuenta será bloqueada si introduce mal la contraseña tres veces.",
    "To fix the pending order, contact the shop.",
    "Bloquee su tarjeta desde la aplicación si la pierde.",
    "Use the free budget tool on our website.",
    "Betaal de verzendkosten bij levering.",
]


@pytest.mark.parametrize(("text", "kinds"), BATCH_O_PHRASES)
def test_batch_o_technique_wording(text: str, kinds: set[str]) -> None:
    found = {t.category for t in match_lures(text, LURES).terms}
    assert kinds <= found, found


@pytest.mark.parametrize("text", BATCH_O_BENIGN)
def test_batch_o_wording_not_in_everyday_text(text: str) -> None:
    m = match_lures(text, LURES)
    assert not m.topic and m.weight < BODY.threshold, [(t.phrase[:40], t.weight) for t in m.terms]
