"""The parts of the extortion, fake-balance and get-rich techniques, found by their structure, not by phrases.

Shared by :mod:`coinguard.analyzers.crypto_theme` (which grades the anatomy) and
:mod:`coinguard.analyzers.addresses` (which asks whether a payment demand next to an address is
pressed by a short deadline or a threat).

A sextortion or bomb-threat mail paraphrases freely, but it always has the same parts: claims that
hold the reader (a hack, a recording, something shameful, a threat to expose or to harm) made *to* the
reader ("your phone"; a report or a blurb speaks of "his", "they"), a payment in a coin (a wallet
address or the coin's name, an amount), and a short deadline or a demand for secrecy.  A fake-balance
mail has others: coins or money credited to the reader (a balance, a payout, a withdrawal, funds
"recovered", an airdrop allotted), a way to act on it (a link, "confirm", "withdraw", paying the fee
that releases it) and pressure (a short deadline, a fee to release it, an account about to expire).  A
get-rich investment lure: the coin, wealth promised, earning (at a rate), the robot or chance that makes
it, and a call to join.  Each part is a small vocabulary of stems in the campaigns' languages (en, de,
fr, es, it, pt, nl, tr, pl, ru, ko, ja, zh, ar, id); a mail counts when it has the parts together,
whatever its sentences.  A text that talks *about* such mail (a security newsletter, a news digest
quoting a campaign, a victim asking what to do) says so with warning vocabulary (scam, fraud, phishing,
"do not pay", "they want"), which takes the anatomy away.

The parts every text has (a pronoun, a number of hours, money) are looked for only where a technique's
rarer parts are already there, so a long text without the claims or the coin costs a few gated passes.
Every pattern is an alternation of literal stems with bounded gaps: one linear pass per part.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from coinguard.findings import Item, Role
from coinguard.sniff import ItemType
from coinguard.text import CLAUSE_END, RegexGate, clause_before, decode_item, factored, fold_mixed_words

#: Characters of text looked at (the beginning of a long body carries the lure).
MAX_ANATOMY_CHARS = 100_000

#: Invisible characters written into words and addresses to break them for filters (``str.translate``: removed).
INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\ufeff"))


#: Escapes a broken template writes out literally (``\n``, ``\r``, ``\t``).
_ESCAPES = re.compile(r"\\[nrt]")
#: Separators a Subject is spelled with to slip past word filters: runs of underscores, and a dot between
#: a letter and a digit ("up.to.1.BTC"; "0.75" and "example.com" keep theirs).
_SEPARATORS = re.compile(r"__+|\.(?:(?<=[a-z]\.)(?=\d)|(?<=\d\.)(?=[a-z]))")


@lru_cache(maxsize=8)
def prepare(text: str) -> str:
    """Text as the parts are matched: NFKC, invisible characters removed, case-folded, literal ``\\n``
    escapes and filter-evading separators made spaces, accents taken off Latin letters only (a Japanese
    voiced mark or a Hangul syllable stays whole), spaces collapsed."""
    text = unicodedata.normalize("NFKC", text[:MAX_ANATOMY_CHARS].translate(INVISIBLE)).casefold()
    if not text.isascii() and _GREEK_OR_CYRILLIC(text) and _LATIN_TOUCHING(text):
        # Technique: the claims, the coin and the demand spelled with look-alike letters ("hасkеd", "bіtсоіn", a
        # Cyrillic "е" in "sеnd") so that no word filter reads them: in a word mixing Latin with Greek or Cyrillic
        # letters each is folded to its Latin look-alike, as text.normalize folds it (Russian or Greek words keep
        # theirs).  One pass of a pattern anchored at word starts with bounded repeats.
        text = fold_mixed_words(text)
    if "\\" in text:  # a template that leaks its escapes ("every day.\n\nPlay to win"): they are spaces
        text = _ESCAPES.sub(" ", text)
    if "__" in text or "." in text:  # "Bitcoin__Balance__0.7495__BTC", "get.up.to.1.BTC": separators
        text = _SEPARATORS.sub(" ", text)
    if not text.isascii():
        out: list[str] = []
        for ch in unicodedata.normalize("NFD", text):
            if unicodedata.combining(ch) and out and out[-1] < "\u0250":
                continue  # an accent on a Latin letter
            out.append(ch)
        text = unicodedata.normalize("NFC", "".join(out))
    return re.sub(r"\s+", " ", text)


#: A Greek or Cyrillic letter (the look-alikes :func:`prepare` folds in mixed-script words): one C-speed scan
#: spares the word pattern's pass over text in other scripts (accented Latin, CJK, Arabic).
_GREEK_OR_CYRILLIC = re.compile("[\u0370-\u03ff\u0400-\u052f]").search
#: A Latin letter touching a Greek or Cyrillic one, where a mixed-script word can be: Russian or Greek text with
#: Latin names apart ("отчёт SAP") is searched once (~1.7 ms per 85 KB), not passed through the word pattern
#: (~4.4 ms).
_LATIN_TOUCHING = re.compile("[a-z][\u0370-\u03ff\u0400-\u052f]|[\u0370-\u03ff\u0400-\u052f][a-z]").search


def _stems(*words: str) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


#: Left boundary for Latin stems (CJK and Hangul match anywhere).
_L = r"(?<![a-z])"

#: The coin: its names and tickers (bitcoin with a case ending: "bitcoinowi", "bitcoins").
COIN = re.compile(_L + "(?:" + _stems(
    "btc", "satoshi", "ethereum", "usdt", "tether", "litecoin", "ltc", "monero", "xmr", "dogecoin", "tron", "trx",
    "crypto", "krypto", "cripto", "kripto", "ether",
) + r"|bitcoin[a-z]{0,3})(?![a-z])"
    "|₿|биткоин|биткойн|біткоїн|біткойн|криптовалют|ביטקוין|比特币|比特幣|ビットコイン|비트코인|暗号資産|加密货币|암호화폐"
    "|بيتكوين|بتكوين|عملة مشفرة|العملات المشفرة|تيثر")
#: The wallet to pay into, named without the coin ("send $1,500 to this wallet", "Wallet: bc1q ..."): the
#: technique of the extortion that never writes "bitcoin" (a filter's word) and gives the address alone,
#: sometimes in a form no address finder reads (broken over lines, in a picture).  Only an extortion takes it
#: as its coin, beside two claims that hold the reader, a demand or an amount, and a deadline or secrecy; a fake
#: balance or a get-rich lure still needs the coin itself.
WALLET = re.compile(_L + "(?:" + _stems(
    "wallet", "wallets", "billetera", "cartera", "carteira", "portefeuille", "portafoglio", "portemonnee",
    "cuzdan", "cuzdanima", "dompet", "portfel", "peneztenka",
) + ")(?![a-z])|кошел[её]к|кошельк|гаманц|지갑|ウォレット|钱包|錢包|محفظة")
#: A coin amount: digits next to a ticker or a coin's name, either way round ("0.05 BTC", "BTC 0,05", "₿0.1").
#: The digits may follow a kana, a Han character or a Hangul syllable right away ("アカウントに1.3 BTC",
#: "계정에0.6 BTC": those scripts do not space words), not a Latin letter, a digit or a dot.
_AFTER_WORD_OR_DOT = r"(?<![^\W\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]|[.])"
COIN_AMOUNT = re.compile(
    _AFTER_WORD_OR_DOT + r"\d[\d.,' ]{0,15}\s?(?:btc|bitcoins?|eth|ether|usdt|ltc|xmr|trx|doge|sats|satoshis?"
    r"|биткоин\w{0,3})(?![a-z])"
    r"|(?<![a-z])(?:btc|₿|eth|usdt)\s?(?:of\s)?\d[\d.,]*(?![\w#])")
#: Money: a currency sign or name next to digits.
MONEY = re.compile(
    r"[$€£¥₩₽]\s?\d[\d.,]*|\d[\d.,' ]{0,15}\s?(?:[$€£¥₽]|usd|eur|dollars?|dollari|dollaro|euros?|dolares|dolari"
    r"|dolarow|dolar|долл\w{0,4}|долар\w{0,3}|דולר|руб\w{0,4}|달러|만\s?원|원|ドル|美元|zl|pln|chf|gbp|reais|دولار|juta|ribu)(?![a-z])"
    r"|(?<![a-z])rp\s?\d[\d.,]*"
    # Technique: the amount written out in words so that no digit-and-currency filter reads it ("one thousand
    # five hundred dollars", "mille euros", "mil dolares"): a number word of hundreds or thousands, up to three
    # more number words, the currency.
    # (German and Dutch glue the number words: "zweitausend", "vijfduizendtweehonderd")
    r"|(?<![a-z])(?:(?:ein|zwei|drei|vier|funf|sechs|sieben|acht|neun|zehn|zwanzig|dreissig|funfzig|een|twee|drie"
    r"|vijf|zes|zeven|negen|tien|twintig|dertig|vijftig)(?:hundert|tausend|honderd|duizend)[a-z]{0,20}"
    r"|hundred|thousand|hundert|tausend|cent|mille|cien|mil|mila|cento|duizend|tysiac)"
    r"(?:\s[a-z]{2,9}){0,3}\s(?:us\s)?(?:dollars?|euros?|dolares|dollari|reais|pounds|zlotych)(?![a-z])")
#: A short deadline counted out (hours, up to three days, a countdown): extortion and fake payouts give
#: hours.  "Within 30 days" is an invoice's term, not pressure.
DEADLINE_SPAN = re.compile(
    r"(?<![\d.,])(?:[1-9]|[1-6]\d|7[0-2])\s?-?\s?(?:de\s)?(?:hours?|hrs?|h(?![a-z])|horas?|heures?|stunden?"
    r"|std(?![a-z])|ore|uur|saat|godzin\w?|час\w{0,3}|시간|時間|小时|小時|ساعة|ساعات|jam"
    # cs, sv, da/no, fi, hu, vi, uk, el, he ("48 de ore": Romanian puts "de" before the unit from 20)
    r"|hodin\w?|timmar|timme|timer|tuntia|tunnin|tunnissa|ora[nt]?|gio|tieng|годин\w?|ώρε|ωρών|שעות|שעה)(?![a-z])"
    r"|(?<![\d.,])[1-3]\s?(?:days?|dias?|jours?|tagen?|giorni|dagen|gun|dni|дн\w{0,3}|일\s?(?:이내|안에|내)|日以内|天内"
    r"|hari|ايام|أيام)(?![a-z])"
    r"|" + _L + "(?:" + _stems(
        "two days", "three days", "deux jours", "trois jours", "zwei tage", "drei tage", "dos dias", "tres dias",
        "due giorni", "tre giorni", "dois dias", "twee dagen", "drie dagen", "iki gun", "dwa dni",
        "countdown", "compte a rebours", "cuenta atras", "conto alla rovescia", "contagem regressiva",
        "twenty-four hours", "forty-eight hours", "seventy-two hours", "twenty four hours", "forty eight hours",
        "dua hari", "tiga hari",
    ) + ")(?![a-z])|сутк|двух дней|двое суток|이틀|二日|两天|48시간|24시간|يومين|ثلاثة أيام")
#: A deadline named, not counted (tonight, midnight, "the deadline"): a colleague's "I'll pay you back
#: tonight" says it too, so it presses a payment only together with claims that hold the reader.
DEADLINE_WORD = re.compile(
    _L + "(?:" + _stems(
        "midnight", "minuit", "mitternacht", "medianoche", "mezzanotte", "meia-noite", "middernacht", "polnoc",
        "tonight", "ce soir", "heute nacht", "heute abend", "esta noche", "stanotte", "hoje a noite", "vannacht",
        "deadline", "date limite", "frist", "plazo", "scadenza", "prazo", "termijn", "tenggat", "malam ini",
        # the bomb threat's "before the end of the (working) day"
        "end of the day", "end of the working day", "end of the business day", "end of business",
        # the timer said to start when the mail was opened (a tracking pixel, "the countdown is running")
        "timer started", "timer has started", "timer is running", "timer is ticking", "clock is ticking",
        "clock started", "clock has started", "timer lauft", "timer gestartet", "minuteur a demarre",
        # and the timer that runs out ("before the timer runs out", "bevor der Timer abläuft")
        "timer runs out", "timer expires", "timer ends", "timer ablauft", "timer abgelaufen", "minuteur expire",
        "le chrono", "temporizador", "cronometro", "il timer",
    ) + ")(?![a-z])"
    # a clock time the same day ("before 4 pm today", "by 17:00", "bis 18 Uhr")
    r"|(?<![a-z])(?:before|by|until|till|bis|avant|antes de las|entro le)\s(?:[01]?\d|2[0-3])"
    r"(?:(?::[0-5]\d)?\s?(?:am|pm|a\.m\.|p\.m\.|uhr)(?![a-z])|:[0-5]\d)"
    "|полуноч|자정|오늘 밤|今夜|午夜|今晚|منتصف الليل|الليلة")
DEADLINE = re.compile(f"{DEADLINE_SPAN.pattern}|{DEADLINE_WORD.pattern}")
#: A deadline named as the next day or a weekday ("by tomorrow night", "before Friday", "entro stasera", "до
#: завтра"): the terse threat's and the kidnapper's.  A shop or an exchange says it of a delivery or a
#: credit ("credited by tomorrow"), so it presses only together with claims that hold the reader (an
#: extortion), never a balance.
_WEEKDAY = "(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|the weekend)"
DEADLINE_DAY = re.compile(
    _L + "(?:" + _stems(
        f"by {_WEEKDAY}", f"before {_WEEKDAY}", f"until {_WEEKDAY}", f"till {_WEEKDAY}",
        "by tomorrow", "before tomorrow", "until tomorrow", "till tomorrow", "tomorrow night", "tomorrow evening",
        "tomorrow morning", "bis morgen", "morgen abend", "morgen fruh", "bis freitag", "bis montag", "d'ici demain",
        "d ici demain", "avant demain", "demain soir", "demain matin", "hoy mismo", "antes de manana",
        "manana por la noche", "para manana", "stasera", "entro domani", "domani sera", "ate amanha",
        "amanha a noite", "voor morgen", "morgenavond", "morgen avond", "do jutra", "jutro wieczorem",
        "yarina kadar", "yarin aksam", "besok malam", "sebelum besok",
    ) + ")(?![a-z])|до завтра|до вечера|завтра вечером|내일까지|明日まで|明天之前|明天前|غدا|غداً")
#: A demand to pay, send or transfer (en, es, pt, fr, de, it, nl, tr, pl, ru, ko, ja, zh).
DEMAND = re.compile(
    _L + "(?:" + _stems(
        "pay", "payment", "send", "transfer", "deposit", "wire", "ransom", "remit", "envia", "envie", "enviar",
        "envien", "paga", "pague", "pagar", "pago", "transfiere", "transfira", "transferir", "deposita", "deposite",
        "envoyez", "envoyer", "payez", "payer", "paiement", "virement", "transferez", "versez", "senden", "sende",
        "uberweisen", "uberweisung", "zahlen", "bezahlen", "zahlung", "invia", "inviare", "pagare", "pagamento",
        "trasferisci", "bonifico", "stuur", "betaal", "betalen", "betaling", "overmaken", "maak over",
        "gonder", "odeyin", "odeme", "zaplac", "przelej", "wyslij", "platnosc", "losegeld",
        # settling a bill or a fee ("réglez les frais de dossier", "abone la tarifa", "begleichen Sie")
        "reglez", "regler", "acquittez", "acquitter", "abone", "abonar", "begleichen", "versate", "versare",
        "rescate", "rancon", "riscatto", "resgate", "losgeld", "fidye", "okup", "kirim", "kirimkan", "bayar",
        "bayarkan", "tebusan",
        # cs, sv, da/no, fi, hu, ro, vi: the campaigns' other languages (Greek, Ukrainian, Hebrew below)
        "poslete", "posli", "zaplatte", "prevedte", "skicka", "betala", "overfor", "betal", "overfør", "laheta",
        "maksa", "siirra", "kuldjon", "kuldj", "fizessen", "fizess", "utaljon", "utalj", "trimite", "trimiteti",
        "plateste", "platiti", "transfera", "hay gui", "gui đen", "chuyen khoan", "thanh toan",
        # the bomb threat's conditional demand: "I detonate it if I do not receive 0.08 BTC"
        "unless i receive", "if i do not receive", "if i don't receive", "if i dont receive", "unless i get",
        "if i do not get", "se non ricevo", "se non ricevero", "si no recibo", "si je ne recois pas",
        "se nao receber", "als ik niet ontvang", "jesli nie otrzymam",
    # ("payout" and "pay out" are what the reader is given, the other way round; "PayPal", "payroll", "payslip"
    # name a means or a record of payment, not the demand to pay)
    ) + ")(?!\\s?-?out|pal|roll|slip)|отправ|перевед|перевод|оплат|заплат|выкуп|입금|송금|이체|보내|지불|결제|납부|送金"
    "|支払|振り込|振込|身代金|发送|支付|转账|付款|汇款|赎金|أرسل|ارسل|ادفع|إدفع|تحويل|حوّل|الدفع|فدية"
    "|надішл|сплат|переказ|שלח|העבר|שלם|" + "στείλτε|στείλε|πληρώστε|πλήρωσε|μεταφέρετε".casefold())

#: Claims that hold the reader, in groups: a mail needs two of them (one word of one group is everyday).
THREAT_GROUPS: dict[str, re.Pattern[str]] = {
    # a hack: "I hacked", "malware on your device", "I have access to your account"
    "hack": re.compile(_L + "(?:" + _stems(
        "hack", "hacked", "hacker", "hackers", "hackeado", "hackeei", "hackerato", "gehackt", "hacke", "pirate",
        "piratage", "pirateado", "pirater", "malware", "trojan", "troyano", "trojaner", "trojaans", "cavallo di troia",
        "spyware", "keylogger", "virus", "rootkit", "remote access", "full access", "complete access",
        "zugriff auf", "zugang zu", "acceso a", "acces a", "accesso a", "acesso a", "toegang tot", "erisim",
        "dostep do", "infected", "infiziert", "infectado", "infecte", "infettato", "geinfecteerd", "zainfekowan",
        "your password", "ihr passwort", "votre mot de passe", "tu contrasena", "la tua password", "sua senha",
        "je wachtwoord", "sifreniz", "twoje haslo", "su contrasena", "got into your", "broke into your",
        "control of your", "control over your", "kontrolle uber ihr", "controla tu", "controlo o seu",
        "controllo del tuo", "controle de votre", "controle over je", "controle over uw",
        # the account or device said to be compromised
        "compromised", "compromis", "comprometid", "kompromittiert", "gecompromitteerd", "compromess",
        # spyware named (Pegasus) and the ways in claimed: a zero-day, a remote-administration tool, a backdoor
        "pegasus", "spy program", "spy software", "spy app", "spy tool", "spying", "programme espion",
        "logiciel espion", "programa espia", "spionage", "spionageprogramm", "programma spia", "zero-day",
        "zero day", "backdoor", "remote administration", "remote control", "stalkerware",
        "zhakowa", "hakowa", "retas", "peretas", "akses penuh",
        # data carried off: the database / stolen-mailbox ransom
        "backed up", "downloaded", "copied your", "copied all", "stole", "stolen", "exfiltrat", "your database",
        "your data", "your files", "our servers", "heruntergeladen", "kopiert", "telecharge", "descargu",
        "descargado", "scaricato", "baixei", "gedownload", "skopiowal", "pobralem", "indirdim", "mengunduh",
        # the gang's "we" (pt/es/it): broke in, downloaded, copied, the database taken
        "invadimos", "invadi", "baixamos", "descargamos", "copiamos", "roubamos", "robamos", "abbiamo scaricato",
        "base de dados", "banco de dados", "base de datos", "database dei",
        # cs, sv, da/no, fi, hu, ro, vi: the campaigns' other languages (Greek, Ukrainian, Hebrew below)
        "napadl", "prolomil", "pristup k", "hakkero", "feltort", "am spart", "piratat", "tai khoan cua ban",
        "thiet bi cua ban",
    ) + ")|взлом|злам|вирус|троян|доступ к|доступ до|парол|шпион|шпигун|скопировал|скачал|해킹|악성|비밀번호|스파이"
    "|ハッキング|ウイルス|パスワード|スパイ|黑客|病毒|木马|密码|间谍|اختراق|اخترقت|اخترق|قرصن|برامج ضارة|برنامج تجسس"
    "|تجسس"
    "|פרצתי|פריצה|האקר|וירוס|רוגלה|" + "χάκαρ|χακάρ|παραβίασ|κακόβουλ".casefold()),
    # a recording: the camera, a video, screenshots
    "record": re.compile(_L + "(?:" + _stems(
        "webcam", "camera", "kamera", "camara", "telecamera", "kamerka", "video", "videos", "footage", "recorded",
        "recording", "filmed", "gefilmt", "aufgenommen", "aufnahme", "grabado", "grabe", "grabacion", "filmado",
        "filme", "enregistre", "enregistrement", "registrato", "registrazione", "gravado", "gravei", "gravacao",
        "opgenomen", "opname", "nagranie", "nagral", "kaydettim", "kayit", "screenshot", "screenshots",
        "screen capture", "microphone", "mikrofon", "microfono",
        # what was captured besides video: photos, clips, chats, the browsing history
        "photos", "pictures", "fotos", "bilder", "foto", "zdjecia", "clip", "clips", "your chats",
        "private chats", "chat history", "correspondence", "korrespondenz", "browsing history", "search history",
        "browserverlauf", "historique", "historial", "cronologia", "rekam", "merekam", "rekaman",
        # cs, sv, da/no, fi, hu, ro, vi: the campaigns' other languages (Greek, Ukrainian, Hebrew below)
        "webkamer", "nahral", "nahrav", "natocil", "webbkamera", "spelat in", "optaget", "tatt opp", "nauhoit",
        "verkkokamera", "felvettem", "felvetel", "webkamera", "filmat", "quay video", "quay lai",
    ) + ")|камер|видео|відео|запис|переписк|фото|הקלט|מצלמ|סרטון|וידאו|"
    + "κάμερ|βίντεο|κατέγραψ|βιντεο".casefold()
    + "|영상|동영상|녹화|카메라|사진|動画|録画|カメラ|写真|视频|录像|摄像头|照片|كاميرا|فيديو|تسجيل|صور"),
    # something shameful: adult sites, intimacy
    "shame": re.compile(_L + "(?:" + _stems(
        "porn", "porno", "pornographic", "pornografico", "pornografia", "pornografische", "adult", "adulte",
        "adulto", "adulti", "erwachsene", "volwassen", "masturbat", "masturb", "nude", "naked", "nackt",
        "desnudo", "nudo", "naakt", "intimate", "intime", "intim", "intimo", "sex", "sexual", "sexuel",
        "sexuell", "sexo", "sesso", "seks", "explicit", "compromising", "kompromittierend", "comprometedor",
        "compromettant", "compromettente",
        # the act in slang, and the sites by their label
        "nsfw", "pleasuring", "pleasure yourself", "filthy", "pervert", "perverse", "jerking", "jerk off",
        "wank", "self-gratification", "onlyfans", "telanjang", "bugil", "mesum", "dewasa",
        # "I know your secret": an affair to be told to the spouse
        "affair", "cheating on", "infidelity", "mistress", "your lover", "affare", "seitensprung",
        "liaison", "infidelite", "infidelidad", "infedelta", "traicao", "overspel", "zdrad", "aldat",
        "perselingkuhan", "selingkuh",
        # cs, sv, da/no, fi, hu, ro, vi: the campaigns' other languages (Greek, Ukrainian, Hebrew below)
        "dospel", "porr", "aikuisten", "aikuissivu", "felnott", "pentru adulti", "nguoi lon",
    ) + ")|порно|доросл|מבוגרים|פורנו|" + "ενήλικ|πορνό".casefold()
    + "|интим|голы|любовниц|성인|음란|야동|불륜|アダルト|エロ|不倫|色情|成人|裸|出轨|外遇"
    "|إباحي|اباحي|جنس|خيانة"),
    # exposure: to your contacts, published, leaked
    "expose": re.compile(_L + "(?:" + _stems(
        "contacts", "contact list", "kontakte", "contactos", "contatos", "contatti", "contacten", "kisileri",
        "kontakty", "your family", "your colleagues", "your friends", "publish", "published", "leak", "leaked",
        "expose", "release the", "veroffentlich", "publicar", "publicare", "publier",
        "publiceren", "pubblicare", "divulgar", "divulguer", "divulgare", "verbreiten", "difundir", "diffuser",
        "diffondere", "verspreiden", "yayinla", "opublikuj", "social media", "reseaux sociaux", "redes sociales",
        # the people it goes to: the spouse, the employer, the customers, the address book
        "your wife", "your husband", "your spouse", "your partner", "your boss", "your employer",
        "your relatives", "your customers", "address book", "ihre ehefrau", "ihr ehemann", "ihr arbeitgeber",
        "ihre frau", "ihr mann", "ihre familie", "votre femme", "votre mari", "votre famille", "tu esposa",
        "tu marido", "tu familia", "sua esposa", "seu marido", "sua familia", "tua moglie", "tuo marito",
        "tua famiglia", "je vrouw", "je man", "je familie", "twoja zona", "twoja rodzina", "kontak",
        "sebarkan", "menyebarkan", "goes online", "go online", "post them", "to the public",
        # cs, sv, da/no, fi, hu, ro, vi: the campaigns' other languages (Greek, Ukrainian, Hebrew below)
        "kontaktum", "kontakter", "kontaktene", "yhteystied", "ismeros", "contactel", "danh ba",
    ) + ")|контакт|опублик|אנשי הקשר|" + "επαφ".casefold()
    + "|разошл|распростран|жене|мужу|연락처|유포|공개|連絡先|公開|拡散|联系人|公开|曝光"
    "|جهات الاتصال|جهات اتصالك|نشر|فضح"),
    # harm: a bomb, a hit man
    "harm": re.compile(_L + "(?:" + _stems(
        # (the device, not the adjective: "explosive growth" is a marketing mail's)
        "bomb", "bombe", "bomba", "explosive device", "explosives", "engin explosif", "explosifs",
        "artefacto explosivo", "explosivos", "ordigno esplosivo", "esplosivi", "explosieven", "sprengstoff",
        "detonate", "detonator", "hitman", "hit man", "sicario", "killer", "kill you", "assassin", "tueur",
        "matarte", "ti uccid", "dich toten",
        # the hit man's contract, the device planted: how the threat to life is put
        "end your life", "take your life", "contract on your life", "murder", "paid to kill", "hired to kill",
        "detonat", "tetryl", "hexogen", "device planted", "planted a device", "grenade", "sprengsatz",
        "asesin", "tuer", "uccider", "matar", "membunuh", "bahan peledak",
        # the site knocked offline: the ransom DDoS ("pay 2 BTC or your website goes down on Monday")
        "ddos", "denial of service", "denial-of-service", "take down your", "take your website down",
        "take your site down", "knock your site offline", "attaque ddos", "ataque ddos", "attacco ddos",
        # a child or a spouse taken: the kidnapping threat ("you will never see her again")
        "kidnap", "abduct", "never see her again", "never see him again", "never see them again",
        # (not ru "похитить", it. "sequestro": each also says "steal", "seize" -- "hackers stole 120,000 BTC")
        "entfuhr", "secuestr", "rapiment", "rapire", "ontvoer", "porwa", "culik",
    ) + ")|бомб|взрыв|убийц|убью|폭탄|폭발|살해|납치|爆弾|爆発|殺|誘拐|炸弹|爆炸|杀|绑架"
    "|قنبلة|متفجر|قتل|تفجير|خطف|اختطاف"),
}
#: Demands of silence, and the threat of telling the police (part of the pressure).
SECRECY = re.compile(_L + "(?:" + _stems(
    "police", "polizei", "policia", "polizia", "politie", "polis", "policja", "do not tell", "don't tell",
    "tell no one", "tell anyone", "no one", "nobody", "niemand", "nadie", "personne", "nessuno", "ninguem",
    "kimseye", "nikomu", "keep this", "secret", "geheim", "secreto", "segreto", "segredo", "gizli", "sekret",
    "do not reply", "don't reply", "do not respond", "nicht antworten", "no respondas", "ne repondez pas",
    "between us", "polisi", "rahasia", "siapa pun", "siapapun",
) + ")|полици|никому|секрет|경찰|비밀|아무에게|警察|秘密|誰にも|任何人|الشرطة|الشرطه|لا تخبر")

#: A balance, a payout, money credited: what the fake-balance mail holds out.
BALANCE = re.compile(_L + "(?:" + _stems(
    "balance", "balans", "saldo", "guthaben", "solde", "credited", "gutgeschrieben", "credite", "credites",
    "acreditado", "acreditados", "accreditato", "accreditati", "creditado", "creditados", "bijgeschreven",
    "payout", "pay-out", "pay out", "auszahlung", "uitbetaling", "withdrawal", "withdraw", "retiro", "retirada",
    "retrait", "prelievo", "saque", "opname", "cekim", "wyplata", "earnings", "profit", "profits", "gewinn",
    "ganancias", "gains", "guadagni", "lucro", "lucros", "winst", "kazanc", "your funds", "ihr geld", "vos fonds",
    "tus fondos", "i tuoi fondi", "seus fundos", "uw tegoed", "tegoed", "reward", "rewards", "belohnung",
    "recompensa", "recompense", "ricompensa", "beloning", "odul", "nagroda",
    # received BY the reader (a shop's "we received your payment" is the other way round)
    "you received", "you have received", "you've received", "you just received", "sie haben erhalten",
    "has recibido", "ha recibido", "vous avez recu", "hai ricevuto", "voce recebeu", "je hebt ontvangen",
    "u heeft ontvangen", "otrzymales", "aldiniz",
    # the verb-final orders: "Sie haben 0,5 BTC erhalten", "je hebt 0,3 BTC ontvangen"
    "sie haben [^.!?]{0,40}erhalten", "du hast [^.!?]{0,40}erhalten", "je hebt [^.!?]{0,40}ontvangen",
    "u heeft [^.!?]{0,40}ontvangen",
    # waiting for the reader
    "waiting for you", "awaiting you", "wartet auf sie", "wartet auf dich", "te espera", "le espera",
    "vous attend", "ti aspetta", "espera por voce", "wacht op u", "wacht op je", "sizi bekliyor", "czeka na ciebie",
    # the recovery / refund / compensation scam: money "found" for the reader, released for a fee
    "recovered", "recovery of", "refund", "compensation", "reimburse", "recuperad", "recuperamos", "reembolso",
    "compensacion", "indemnizacion", "recupere", "remboursement", "indemnisation", "erstattung",
    "entschadigung", "recuperat", "rimborso", "risarcimento", "indenizacao", "terugbetaling",
    "schadevergoeding", "odzyskal", "zwrot", "odszkodowanie", "iade", "tazminat", "pengembalian",
    "kompensasi", "ganti rugi",
    # an airdrop allotted to the reader
    "allocated", "airdrop", "zugeteilt", "attribue", "asignado", "assegnat", "alocad", "toegewezen",
    # the fake-balance words in Indonesian and Arabic
    "penarikan", "dana anda", "keuntungan anda",
    # cs, hu, ro, vi (sv, da/no, fi write "saldo"; ro "sold" only in its phrases: the English "sold" is a sale)
    "zustatek", "zustatku", "vyber", "egyenleg", "kifizetes", "soldul", "un sold", "sold de", "retragere",
    "so du", "rut tien",
) + ")|баланс|зачислен|вывод|выплат|вы получили|компенсац|возврат|виведення|кошти|잔액|잔고|출금|적립|입금되|보상"
    "|환불|残高|出金|入金|返金|補償|余额|提现|到账|奖励|退款|赔偿|رصيد|أرباح|ارباح|سحب|تعويض|استرداد|יתרה|משיכה"
    "|" + "υπόλοιπο|ανάληψ".casefold())
#: Acting on it: withdraw, claim, confirm, log in, activate.
ACT = re.compile(_L + "(?:" + _stems(
    "withdraw(?!al)", "claim", "confirm", "activate", "log in", "login", "sign in", "verify", "redeem", "collect",
    "access your", "retirar", "reclamar", "confirmar", "confirme", "activar", "retirer", "reclamer", "confirmer",
    "confirmez", "activer", "abheben", "auszahlen", "einfordern", "bestatigen", "bestatigung", "aktivieren",
    "anmelden", "prelevare", "riscuotere", "confermare", "conferma", "attivare", "sacar", "resgatar", "ativar",
    "opnemen", "claimen", "bevestig", "bevestigen", "activeer", "inloggen", "cek", "onayla", "aktif et",
    "wyplac", "odbierz", "potwierdz", "aktywuj", "zaloguj", "genehmigen", "approve", "aprobar", "approuver",
    "approvare", "aprovar", "goedkeuren", "riscuot", "richiedi", "unlock", "release the", "to release",
    "to receive", "complete the", "complete your", "complete verification", "freischalten", "debloquer",
    "desbloquear", "sbloccare", "konfirmasi", "klaim", "tarik",
    "aktifkan", "cairkan",
    # cs, sv, fi, hu, ro, vi ("confirm" covers ro "confirma")
    "potvrdte", "vyberte", "bekrafta", "vahvista", "erositse meg", "igenyelje", "retrage", "xac nhan",
) + ")|вывести|вивести|підтверд|אשר את|אשרו את|" + "επιβεβαιώστε|επιβεβαίωσ".casefold()
    + "|подтверд|активир|войдите|получить|출금하|확인|수령|로그인|出金|確認|受け取|ログイン|提现|确认|领取|登录"
    "|تأكيد|تاكيد|أكد|اسحب|قم بسحب|استلم|تفعيل")
#: Pressure on a balance: a fee to release it.
FEE = re.compile(_L + "(?:" + _stems(
    "fee", "fees", "commission", "gebuhr", "gebuhren", "comision", "frais", "commissione", "taxa", "tarifa",
    "kosten", "ucret", "oplata", "biaya", "gas fee",
    # cs, sv, fi, hu, vi ("phi", "dij" whole words only)
    "poplatek", "poplatku", "avgift", "avgiften", "palkkio", "phi(?![a-z])", "dij(?:at|a)?(?![a-z])",
) + r")"
    # the paid "upgrade" (to a plan, a VIP level) that opens the withdrawal: a fee by another name, when its
    # price follows in its clause ("withdrawals open once you upgrade to the Pro plan for $199")
    r"|(?<![a-z])upgrad(?:e|ing)(?=[^.!?\n]{0,40}?(?:[$€£]\s?\d|\d[\d.,]*\s?(?:btc|usdt|eth|usd|eur|dollars?|euros?)(?![a-z])))"
    "|комисси|комісі|수수료|手数料|手续费|رسوم|عمولة|עמלה|" + "χρέωσ|προμήθει".casefold())
#: A fee denied ("we do not charge any fees", "free of charge") is the opposite of pressure.
NO_FEE = re.compile(_L + "(?:" + _stems(
    "no", "not", "never", "without", "zero", "free of", "any", "keine", "ohne", "sans", "aucun", "aucuns", "sin",
    "ningun", "ninguna", "senza", "nessun", "sem", "nenhum", "geen", "zonder", "bez", "tanpa", "gratis",
) + r")(?![a-z])[^.!?\n]{0,20}$")
#: Fee words looked at for a denial.
MAX_FEE_WORDS = 10
#: Pressure on a balance: an account or a payout about to expire, burn or be blocked.
EXPIRY = re.compile(_L + "(?:" + _stems(
    "expire", "expires", "expired", "expiring", "blocked", "frozen", "suspended", "deleted", "forfeit", "burn",
    "blockage", "lockout", "lauft ab", "verfallt", "gesperrt", "geloscht", "expira", "caduca", "caduque", "vence",
    "bloqueado", "bloquee", "scade", "bloccato", "verloopt", "geblokkeerd", "vervalt", "sona erer", "engellen",
    "wygasa", "zablokowan", "last chance", "letzte chance", "ultima oportunidad", "derniere chance",
    "ultima possibilita", "ultima chance", "laatste kans", "burned", "scad", "kedaluwarsa", "hangus", "diblokir",
    "reversed", "return to the sender", "returned to the sender",
    # the pending transfer that goes back unless accepted ("sign in to accept it before it is returned")
    "before it is returned", "before they are returned", "will be returned", "will be sent back", "is sent back",
    "wird zuruckgesendet", "wird zuruckgebucht", "sera renvoye", "sera retourne", "sera devuelto", "sera devuelta",
    "verra restituit", "sera devolvid", "wordt teruggestort",
) + ")|сгорит|заблокир|истека|만료|소멸|차단|期限|失効|过期|冻结|تنتهي|ينتهي|انتهاء|تجميد")
#: Credentials handed to the reader ("Password: TG22M487"): the "shared account full of coins" lure needs no
#: other pressure -- the reader is to log in and pay the "withdrawal fee".
CREDENTIALS = re.compile(
    r"(?<![a-z])(?:password|passwort|pass|pwd|contrasena|mot de passe|senha|wachtwoord|sifre|haslo|пароль"
    r"|비밀번호|パスワード|密码)\s?[:：]\s?\S{4,}")
CREDIT_TO_READER = re.compile(_L + "(?:" + _stems(
    "deposited into your", "deposited to your", "deposited in your", "added to your", "into your account",
    "your portfolio", "bitcoin portfolio", "crypto portfolio", "your bitcoin account", "your bitcoin wallet",
    "into your wallet", "in your wallet", "to your wallet", "on your balance", "auf ihr konto", "auf ihrem konto",
    "en tu cuenta", "en su cuenta", "sur votre compte", "sul tuo conto", "na sua conta", "op uw rekening",
    "op je account", "op uw account", "hesabiniza", "na twoje konto",
    # coins the reader "earned", "won" or "got" for nothing
    "you earned", "you've earned", "you have earned", "you won", "you've won", "you have won", "you got",
    "you've got", "has ganado", "ha ganado", "hai vinto", "hai guadagnato", "vous avez gagne", "sie haben gewonnen",
    "du hast gewonnen", "voce ganhou", "je hebt gewonnen", "u heeft gewonnen", "kazandiniz", "wygrales",
    "ke akun anda", "di akun anda", "ke dompet anda", "allocated to your",
    # coins held for the reader ("1.03 BTC is pending in your account")
    "in your account", "on your account", "pending in your", "is pending", "are pending",
) + ")|на ваш сч|на вашем сч|вы выиграли|вы заработали|في حسابك|إلى حسابك|الى حسابك|في محفظتك")

#: Get-rich promises: wealth, millionaires, financial freedom (the bitcoin investment-robot spam).
WEALTH = re.compile(_L + "(?:" + _stems(
    "get rich", "rich", "millionaire", "millionaires", "billionaire", "fortune", "wealth", "wealthy",
    "financial freedom", "passive income", "reich", "millionar", "milliardar", "vermogen", "reichtum",
    "finanzielle freiheit", "passives einkommen", "riche", "millionnaire", "liberte financiere", "revenu passif",
    "rico", "rica", "ricos", "millonario", "millonaria", "millonarios", "fortuna", "riqueza", "libertad financiera",
    "ingresos pasivos", "ricco", "ricchi", "milionario", "milionari", "ricchezza", "liberta finanziaria",
    "reddito passivo", "rendimento passivo", "milionaria", "ricca", "ricche", "renda passiva",
    "liberdade financeira", "rijk",
    "miljonair", "miljonairs", "rijkdom", "financiele vrijheid", "passief inkomen", "zengin", "milyoner",
    "bogaty", "bogactwo", "milioner", "milionerem", "niezaleznosc finansowa", "financially independent",
    "financial independence", "kaya raya",
    # the crypto casino's prize: a jackpot, a prize pool
    "jackpot", "jackpots", "prize pool", "win big", "grand prize", "premio gordo", "montepremi", "win up to",
    "chance to win", "could win", "jadi kaya", "menjadi kaya", "jutawan", "kebebasan finansial",
    "penghasilan pasif",
) + ")|богат|миллионер|부자|백만장자|億万長者|大金持ち|富翁|财富|致富|ثري|ثراء|ثروة|مليونير|الثراء")
#: Wealth words a genuine fintech or exchange uses too ("build wealth"): no promise of riches.
MODEST_WEALTH = frozenset({"wealth", "fortune", "fortuna", "riqueza", "ricchezza", "vermogen", "reichtum",
                           "rijkdom", "bogactwo", "财富", "ثروة"})
#: Earning: the verb ("earn", "verdienen", "lucram") -- or a rate (RATE).
EARN = re.compile(_L + "(?:" + _stems(
    "earn", "earning", "earnings", "make money", "making money", "profit", "profits", "returns", "verdienen",
    "verdient", "geld machen", "gewinne", "rendite", "gagner", "gagnez", "gains", "rendement", "ganar", "gane",
    "ganancias", "rentabilidad", "guadagnare", "guadagna", "guadagni", "rendimento", "ganhar", "ganhe", "lucr",
    "verdien", "winst", "kazanc", "kazanin", "kazan", "zarabia", "zarobki", "zysk",
    "keuntungan", "menghasilkan", "penghasilan", "cuan",
    # winning it: the crypto casino's "win", "multiply your BTC"
    "win(?:s|ning|nings)?(?![a-z])", "multiply", "gewinnen sie", "gagnez", "gagner le", "gana", "ganhe o",
    "vinci", "vincere", "winnen",
    "wygraj",
    # money multiplied: "I turned $250 into $12,000", "doubled my deposit"
    "turned [$€£]?\\d", "doubled", "tripled", "verdoppelt", "verdreifacht", "duplique", "triplique", "raddoppiat",
    "dobrei", "verdubbeld",
) + ")|зараб|прибыл|доход|수익|벌|稼|収益|赚|收益|أرباح|ارباح|ربح|تربح")
#: A rate ("a day", "jeden Tag", "ogni giorno"): earning beside a promise of riches ("reich ... jeden Tag");
#: beside modest wealth only with money right before it ("wealth ... $1,300 a day": a conference's "wealth
#: panels and daily workshops" is none).
RATE = re.compile(_L + "(?:" + _stems(
    "per day", "a day", "every day", "daily", "per week", "a week", "per month", "a month",
    "pro tag", "am tag", "jeden tag", "taglich", "pro woche", "pro monat", "im monat", "par jour", "chaque jour",
    "par semaine", "par mois", "al dia", "por dia", "cada dia", "a la semana", "al mes", "por mes", "al giorno",
    "ogni giorno", "a settimana", "al mese", "por semana", "per dag", "elke dag", "per maand",
    "gunluk", "gunde", "aylik", "dziennie", "miesiecznie", "per hari", "setiap hari", "sehari", "per bulan",
) + ")(?![a-z])|в день|в месяц|毎日|每天|يوميا|يوميًا|يومية|في اليوم|شهريا")
#: Characters between an amount of money and its rate.
RATE_GAP = 25
#: The machine that makes the money: a trading robot, an AI, a platform; the banks that "hide" it.
SYSTEM = re.compile(_L + "(?:" + _stems(
    "trading robot", "trading bot", "robot", "bot", "algorithm", "ai", "artificial intelligence", "ki",
    "kunstliche intelligenz", "ia", "intelligence artificielle", "inteligencia artificial", "intelligenza artificiale",
    "inteligencia artificial", "kunstmatige intelligentie", "yapay zeka", "sztuczna inteligencja", "platform",
    "plattform", "plateforme", "plataforma", "piattaforma", "platforma", "software", "logiciel", "system",
    "systeme", "sistema", "systeem", "banks", "banken", "banques", "bancos", "banche", "opportunity", "chance",
    "occasione", "oportunidad", "opportunite", "oportunidade", "kans", "firsat", "okazja", "loophole", "secret",
    "experts", "experten", "expertos", "esperti", "especialistas", "robo", "trading", "app", "aplikasi",
    "kecerdasan buatan", "analyst", "analist", "analista", "mentor", "contract trading",
    # the chance that makes it: a lottery, a casino, betting, dice
    "lottery", "casino", "betting", "wager", "dice", "slots", "free spins", "loterie", "lotteria", "loteria",
    "kasino", "kasyno", "cassino", "apuestas", "scommesse",
) + ")(?![a-z])|робот|платформ|искусственн|банк|로봇|플랫폼|인공지능|ロボット|プラットフォーム|人工知能|自動売買"
    "|机器人|平台|人工智能|روبوت|ربوت|منصة|منصتنا|ذكاء اصطناعي|الذكاء الاصطناعي")
#: Joining it: register, sign up, start, try, watch, invest now.
JOIN = re.compile(_L + "(?:" + _stems(
    "register", "sign up", "signup", "join", "start now", "start earning", "get started", "try it", "invest now",
    "watch the video", "watch video", "registrieren", "registrieren sie", "anmelden", "mitmachen", "machen sie mit",
    "ausprobieren", "jetzt starten", "jetzt investieren", "video anschauen", "inscrivez", "inscrivez-vous",
    "inscription", "rejoignez", "commencez", "investissez", "registrese", "registrate", "unase", "unete",
    "empiece", "empieza", "invierta", "registrati", "iscriviti", "unisciti", "inizia", "investi ora", "cadastre",
    "cadastre-se", "inscreva", "junte-se", "comece", "invista", "registreer", "meld je aan", "meld u aan",
    "doe mee", "begin nu", "investeer", "kaydol", "katil", "basla", "zarejestruj", "dolacz", "zacznij", "inwestuj",
    "daftar", "bergabung", "gabung", "play now", "bet now", "play to win", "spin now", "deposit now",
    "jetzt spielen", "jouez", "juega", "gioca", "jogue", "speel nu", "i will guide you", "i'll guide you",
    "let me show you", "i can teach you",
) + ")|зарегистр|присоедин|начните|инвестир|가입|등록|시작하|登録|参加|始め|注册|加入|开始|سجل الآن|سجل الان|اشترك"
    "|انضم")


#: The extortioner speaks for himself ("I hacked", "my software"): a report about extortion speaks of them.
FIRST_PERSON = re.compile(_L + "(?:" + _stems(
    "i", "i've", "i'm", "i am", "i have", "my", "me", "ich", "mein", "meine", "mir", "mich", "je", "j'ai", "moi",
    "mon", "ma", "mes", "yo", "tengo", "mis", "io", "ho", "mio", "mia", "eu", "meu", "minha", "tenho", "ik",
    "mijn", "ben", "benim", "mam", "moj", "moje", "moja", "saya", "aku", "kami",
    # a gang speaks as "we" (the stolen-database ransom, "our team")
    "we", "we've", "we have", "our", "wir", "unser", "unsere", "nous", "notre", "nos", "nosotros",
    "nuestro", "nuestra", "noi", "nostro", "nostra", "nosso", "nossa", "wij", "ons", "onze", "biz",
    "nasz", "nasze",
) + ")(?![a-z'])|(?<![а-яё])(?:я|мне|мой|моя|мои|меня|мы|наш)(?![а-яё])|내가|제가|나는|저는|私|僕|俺|我"
    "|أنا|انا|لقد قمت|قمت|لدي|سأ")
#: The reader addressed ("your phone", "tu dispositivo", "seni"): in languages that drop the pronoun
#: ("Instalé un virus", "hackledim") the speaker is in the verb, and the claims are still made *to* the
#: reader; a report about extortion speaks of "her", "them", "victims".
READER = re.compile(_L + "(?:" + _stems(
    "you", "your", "yours", "ihr", "ihre", "ihren", "ihrem", "ihrer", "dein", "deine", "deinen", "dich", "dir",
    "votre", "vos", "vous", "tes", "tu", "tus", "te", "usted", "su", "sus", "tuo", "tua", "tuoi", "tue", "ti",
    "seu", "sua", "seus", "suas", "voce", "je", "jouw", "uw", "jij", "twoj", "twoje", "twoja", "twojego",
    "ciebie", "cie", "senin", "sizin", "seni", "sizi", "sana", "anda", "kamu",
    # the reader in the plural (a company, a household, a school): "nel vostro edificio", "euer Gebäude"
    "vostro", "vostra", "vostri", "vostre", "voi", "vuestro", "vuestra", "vosotros", "euer", "eure", "euch",
    "jullie", "voces", "wasz", "wasza", "wam",
    # cs, sv, da/no, fi, hu, ro, vi (Hungarian drops the pronoun: "your device" is "eszközét")
    "vas", "vase", "vasi", "vasim", "vam", "tvuj", "din", "dina", "ditt", "dig", "dine", "deg", "sinut", "sinun",
    "sinua", "sinulle", "teidan", "onnek", "teged", "neked", "eszkozet", "eszkozeit", "fiokjat", "tau", "tale",
    "tine", "cua ban",
) + ")(?![a-z'])|(?<![а-яёіїє])(?:ваш|вас|вам|тебя|твой|твои|тебе|твій|твої)|당신|あなた|你|您|لديك|أنت|انت|جهازك|حسابك"
    "|שלך|אותך|" + "σας|σου".casefold())
#: Warning vocabulary: a text about scams (a security newsletter, a news digest quoting a campaign), as
#: prose: not inside a mail address or a URL's parameters.
AWARENESS = re.compile(r"(?<![a-z_@/=.-])(?:" + _stems(
    "scam", "scams", "scammer", "scammers", "fraud", "fraudster", "fraudsters", "phishing", "sextortion",
    "awareness", "warning signs", "do not pay", "don't pay", "never pay", "report it", "researchers",
    "victims", "campaign", "betrug", "betruger", "estafa", "estafadores", "arnaque", "escroquerie", "escrocs",
    "truffa", "truffatori", "golpe", "golpistas", "oplichting", "oplichters", "dolandiricilik", "oszustwo",
    "oszusci", "nicht zahlen", "no pague", "ne payez pas", "non pagate", "nao pague", "niet betalen", "hoax",
    "penipuan", "penipu", "jangan bayar", "arnaques",
    # the warning's own word orders and verbs ("Zahlen Sie nicht", "the police warns", "scammers claim")
    "zahlen sie nicht", "bezahlen sie nicht", "ne payez rien", "no paguen", "non pagare", "betaal niet",
    "warns", "warnt", "warnen", "avertit", "advierte", "avverte", "alerta", "waarschuwt", "ostrzega",
    "claim to", "claiming", "claims to", "behaupten", "pretendent", "afirman", "sostengono", "alegam",
    "beweren",
    # a victim asking for help reports a third party's demand
    "they want", "they demand", "they are demanding", "someone is threatening", "threatening to",
    "what should i do", "what should we do", "should i pay", "should we pay", "was soll ich tun",
    "que dois-je faire", "que debo hacer", "cosa devo fare", "o que devo fazer", "wat moet ik doen",
    # cs, sv, da/no, fi, hu, ro, vi
    "podvod", "podvodnici", "neplatte", "bedrageri", "bedragare", "svindel", "svindlere", "betal ikke",
    "betala inte", "huijaus", "huijari", "huijarit", "ala maksa", "csalas", "csalok", "ne fizessen",
    "inselatorie", "escroc", "escrocii", "nu platiti", "lua đao", "đung tra tien",
# (a word of a mail address or a URL is none of the text's: "phishing@pot", "utm_campaign=")
) + ")(?![a-z]*[@=])|мошенн|фишинг|не платите|шахра|не платіть|הונאה|אל תשלמו|" + "απάτη|μην πληρώσετε".casefold()
    + "|사기|피싱|詐欺|フィッシング|诈骗|钓鱼|احتيال|نصب|تصيد|لا تدفع")
#: Distinct warning words that make a text one *about* scams.
AWARENESS_WORDS = 2
#: Distinct threat groups an extortion needs.
THREAT_MIN = 2


def claim_weight(threats: Iterable[str]) -> int:
    """What the claims found (``"group: words"``, THREAT_GROUPS) weigh against THREAT_MIN: one each, a threat to
    life (the bomb, the hit man) twice -- it holds the reader on its own."""
    found = list(threats)
    return len(found) + any(t.startswith("harm:") for t in found)


@dataclass(frozen=True, slots=True)
class Anatomy:
    """What a text has of the three techniques (each part: the words that showed it, '' when absent)."""

    threats: tuple[str, ...]  # "group: word" for each threat group found
    coin: str
    coin_amount: str
    money: str
    deadline: str
    demand: str
    secrecy: str
    balance: str
    act: str
    pressure: str  # a fee (not denied) or an expiry
    awareness: tuple[str, ...]
    first_person: str
    credited: str = ""  # an amount (or the coin) next to the balance word: what is held out
    expiry: str = ""
    credentials: str = ""
    wealth: str = ""
    earn: str = ""  # an earning verb, or a rate
    paid_rate: str = ""  # money at a rate ("$1,300 a day")
    system: str = ""
    join: str = ""
    reader: str = ""  # the reader addressed ("your", "tu", "seni")
    fee: str = ""  # a fee to pay (one denied, "no fees", is none)
    fee_demand: str = ""  # the demand to pay that fee ("pay the processing fee")
    wallet: str = ""  # the wallet to pay into, named without the coin (WALLET; looked for beside claims only)

    @property
    def about_scams(self) -> bool:
        return len(self.awareness) >= AWARENESS_WORDS

    def extortion(self, address: bool = False) -> str:
        """The parts of an extortion ('' unless there are all of them): two claims that hold the reader, made
        to the reader ("your phone": a report, a blurb, a victim asking for help speak of "his", "her",
        "they"), a payment in a coin (an address or the coin named), a demand
        or an amount, a deadline or secrecy."""
        harm = any(t.startswith("harm:") for t in self.threats)
        if self.about_scams or not self.reader or claim_weight(self.threats) < THREAT_MIN:
            return ""
        if not (address or self.coin or self.coin_amount or self.wallet):
            return ""
        if not (self.demand or self.money or self.coin_amount):
            return ""
        if not (self.deadline or self.secrecy or (harm and self.demand)):
            return ""
        pay = "an address" if address else (self.coin_amount or self.coin or f"a {self.wallet}")
        press = self.deadline or self.secrecy or "a demand"
        return f"{', '.join(self.threats)}; pays in {pay}; {self.demand or self.money or self.coin_amount}; {press}"

    def investment(self, link: bool = False) -> str:
        """The parts of a get-rich investment lure ('' unless there are all of them): the coin, a promise of
        wealth, earning, and a call to join (or, with the machine or chance that makes the money, a link)."""
        promise = self.wealth and self.wealth not in MODEST_WEALTH
        # the celebrity "loophole" lure promises the millions, the banks that fear it and a sign-up, no rate
        if self.about_scams or not (self.coin and self.wealth and (self.earn or (promise and self.system))):
            return ""
        if self.wealth in MODEST_WEALTH and not self.paid_rate and RATE.fullmatch(self.earn):
            return ""  # "wealth panels, daily workshops" is a conference's; "wealth ... $4,000 a week" a promise
        join = self.join or ("a link" if link and self.system else "")
        if not join:
            return ""
        return "; ".join(p for p in (self.coin, self.wealth, self.earn, self.system, join) if p)

    @property
    def investment_complete(self) -> bool:
        """Every part of the get-rich lure, the wealth a promise ("get rich", "millionaire", "financial
        freedom"; not a fintech's "build wealth"), the machine that makes it and a call to join."""
        return bool(self.investment() and self.earn and self.system and self.join
                    and self.wealth not in MODEST_WEALTH)

    def fake_balance(self, link: bool = False) -> str:
        """The parts of a fake balance ('' unless there are all of them): coins (or money with the coin named)
        credited, a call to act on them (or a link, or the demand to pay a fee to release them), and pressure
        (a short deadline, a fee, expiry); without an amount, the coin named with a call to act and a short
        deadline."""
        if self.about_scams or not self.credited or not (self.coin_amount or self.coin):
            return ""
        amount = self.credited
        if amount == self.coin and not (self.act and (self.deadline or self.expiry)):
            return ""  # "your Bitcoin payout is ready: confirm within 48 hours" names no amount
        # handing over the login of an account full of coins is the call to act and the bait at once
        given = f"credentials '{self.credentials}'" if self.credentials else ""
        # the recovery scam's "pay the processing fee to release the funds" is the call to act
        act = self.act or given or self.fee_demand or ("a link" if link else "")
        press = self.deadline or self.pressure or given
        if not (act and press):
            return ""
        return f"{amount} {self.balance or 'credited'}; {act}" + (f"; {press}" if press != act else "")


#: Characters around a balance word searched for the amount credited (or, without one, the coin's name).
CREDIT_WINDOW, COIN_WINDOW = 80, 25
#: Characters before an amount looked at for a fee word: "a fee of 0.01 BTC" is the fee, not the balance.
FEE_GAP = 25
#: Characters before a fee word searched for the demand to pay it.
FEE_DEMAND_GAP = 40
#: Balance words (and amounts next to each) looked at.
MAX_BALANCE_WORDS = 20
MAX_AMOUNTS = 4


_CREDIT_WORDS = re.compile(f"{BALANCE.pattern}|{CREDIT_TO_READER.pattern}")
_AMOUNT = re.compile(f"{COIN_AMOUNT.pattern}|{MONEY.pattern}")


def _credited(t: str, may: Callable[[re.Pattern[str]], bool] | None = None) -> str:
    """The amount (a coin amount or money, not a fee's) next to a balance word, else the coin named right by
    it, else ''."""
    coin = ""
    if may is not None and not may(_CREDIT_WORDS):
        return ""
    for n, m in enumerate(factored(_CREDIT_WORDS).finditer(t)):
        if n >= MAX_BALANCE_WORDS:
            break
        lo = max(0, m.start() - CREDIT_WINDOW)
        near = t[lo:m.end() + CREDIT_WINDOW]
        for k, amount in enumerate(factored(_AMOUNT).finditer(near)):
            if k >= MAX_AMOUNTS:
                break
            if not factored(FEE).search(near[max(0, amount.start() - FEE_GAP):amount.start()]):
                return amount.group(0).strip()
        if not coin:
            c = factored(COIN).search(t[max(0, m.start() - COIN_WINDOW):m.end() + COIN_WINDOW])
            coin = c.group(0) if c else ""
    return coin


#: A fee stated with its amount, as a receipt, a statement or a fee schedule writes it ("network fee: 0.0002
#: BTC", "trading fees 0.0004 BTC", "the withdrawal fee becomes 0.0001 BTC"): the amount follows the fee word
#: within FEE_AMOUNT_GAP characters, and the rest of its clause asks nothing (:data:`_FEE_ASKED`: "a fee of
#: $20 applies", "must be paid first", "to release the funds").  A charge reported, not pressure on a balance.
FEE_AMOUNT_GAP = 20
_FEE_ASKED = re.compile(_L + "(?:" + _stems(
    "apply", "applies", "applied", "required", "requires", "must", "need", "needed", "payable", "first", "before",
    "upfront", "up front", "in advance", "to withdraw", "to release", "to unlock", "to activate", "to receive",
    "to claim", "to process", "pay", "send", "deposit", "fallig", "erforderlich", "muss", "requerid", "debe",
    "obligatoire", "doit", "richiest", "deve", "necessari", "vereist", "moet", "gerekli", "wajib",
) + ")(?![a-z])")


def _stated_fee(t: str, end: int) -> bool:
    """Is the fee word ending at ``t[end]`` stated with its amount, asking nothing (see :data:`_FEE_ASKED`)?"""
    amount = factored(_AMOUNT).search(t, end, end + FEE_AMOUNT_GAP + 24)
    if amount is None or amount.start() - end > FEE_AMOUNT_GAP or CLAUSE_END.search(t, end, amount.start()):
        return False
    rest = CLAUSE_END.split(t[amount.end():amount.end() + 80], maxsplit=1)[0]
    return factored(_FEE_ASKED).search(t[end:amount.start()] + " " + rest) is None


def _fee(t: str, may: Callable[[re.Pattern[str]], bool]) -> tuple[str, str]:
    """(fee, demand): the first fee word of prepared text ``t`` that no denial ("no fees", "ohne Gebühr")
    precedes, and the demand to pay it when one stands right before it ("pay the processing fee")."""
    if not may(FEE):
        return "", ""
    fee = ""
    for n, m in enumerate(factored(FEE).finditer(t)):
        if n >= MAX_FEE_WORDS:
            break
        if m.start() and t[m.start() - 1] in "/=._-@":
            continue  # a word of a URL or an address ("exchange.example/fees"), not the text's
        # (the demand in the fee's own clause: "deposits 0.2 BTC; trading fees 0.0004 BTC" lists two entries)
        before = clause_before(t, m.start(), FEE_DEMAND_GAP)
        if factored(NO_FEE).search(before[-30:]):
            continue
        demand = factored(DEMAND).search(before) if may(DEMAND) else None
        if not demand and _stated_fee(t, m.end()):
            continue
        if demand:
            return m.group(0).strip(), f"{demand.group(0)} … {m.group(0).strip()}"
        fee = fee or m.group(0).strip()
    return fee, ""


def _wealth(t: str, may: Callable[[re.Pattern[str]], bool]) -> str:
    """The first promise of riches in prepared text ``t``, else its first modest wealth word, else ''."""
    modest = ""
    for n, m in enumerate(factored(WEALTH).finditer(t) if may(WEALTH) else ()):
        if n >= MAX_AMOUNTS:
            break
        if m.group(0) not in MODEST_WEALTH:
            return m.group(0)
        modest = modest or m.group(0)
    return modest


def _paid_rate(t: str, may: Callable[[re.Pattern[str]], bool]) -> str:
    """A rate with money (or a coin amount) right before it ("$1,300 a day"), else ''."""
    for n, m in enumerate(factored(RATE).finditer(t) if may(RATE) else ()):
        if n >= MAX_AMOUNTS:
            break
        if factored(_AMOUNT).search(t[max(0, m.start() - RATE_GAP):m.start()]):
            return m.group(0)
    return ""


def _first(pattern: re.Pattern[str], text: str) -> str:
    m = factored(pattern).search(text)
    return m.group(0).strip() if m else ""


@lru_cache(maxsize=1)
def _gate() -> RegexGate:
    """The vocabularies' required words, found in one pass before any of their searches."""
    return RegexGate([COIN, COIN_AMOUNT, WALLET, MONEY, DEADLINE, DEADLINE_DAY, DEMAND, SECRECY, BALANCE, ACT, EXPIRY,
                      FEE, FIRST_PERSON, READER, CREDENTIALS, WEALTH, EARN, RATE, SYSTEM, JOIN, AWARENESS,
                      _CREDIT_WORDS, *THREAT_GROUPS.values()])


def anatomy(text: str) -> Anatomy:
    """The parts of the techniques in ``text`` (any language of the vocabularies).

    One pass per part, none for a vocabulary none of whose required words the text holds, and the parts
    every text has (a pronoun, a number of hours, money) only where a technique's rarer parts are already
    there: the speaker, money and secrecy where two claims are; the call to act, fee and expiry where coins
    are credited; the deadline where either is; wealth, earning and joining where the coin is.  A part
    not looked for is ''.
    """
    t = prepare(text)
    may = _gate().open(t)

    def first(pattern: re.Pattern[str], wanted: bool = True) -> str:
        return _first(pattern, t) if wanted and may(pattern) else ""

    threats = tuple(f"{name}: {m.group(0)}" for name, pat in THREAT_GROUPS.items()
                    if may(pat) and (m := factored(pat).search(t)))
    claims = claim_weight(threats) >= THREAT_MIN
    coin, coin_amount = first(COIN), first(COIN_AMOUNT)
    credited = _credited(t, may) if coin or coin_amount else ""
    fee, fee_demand = _fee(t, may) if credited else ("", "")
    rich = bool(coin) and bool(may(WEALTH))
    wealth = _wealth(t, may) if rich else ""
    rate = _paid_rate(t, may) if wealth else ""
    return Anatomy(
        threats, coin, coin_amount, first(MONEY, claims),
        first(DEADLINE, claims or bool(credited)) or first(DEADLINE_DAY, claims),
        first(DEMAND), first(SECRECY, claims), first(BALANCE, bool(credited)), first(ACT, bool(credited)),
        first(EXPIRY, bool(credited)) or fee, _warnings(t, may) if claims or credited or wealth else (),
        first(FIRST_PERSON, claims), credited=credited, expiry=first(EXPIRY, bool(credited)),
        credentials=first(CREDENTIALS, bool(credited)), wealth=wealth,
        earn=first(EARN, bool(wealth)) or rate or first(RATE, bool(wealth)),
        paid_rate=rate, system=first(SYSTEM, bool(wealth)), join=first(JOIN, bool(wealth)),
        reader=first(READER, claims), fee=fee, fee_demand=fee_demand,
        wallet=first(WALLET, claims and not (coin or coin_amount)))


def _warnings(t: str, may: Callable[[re.Pattern[str]], bool] | None = None) -> tuple[str, ...]:
    """The first AWARENESS_WORDS distinct warning words of prepared text ``t``."""
    seen: list[str] = []
    if may is not None and not may(AWARENESS):
        return ()
    for m in factored(AWARENESS).finditer(t):
        if m.group(0) not in seen:
            seen.append(m.group(0))
            if len(seen) >= AWARENESS_WORDS:
                break
    return tuple(seen)


#: Text a picture carries in its attributes (``alt``, ``title``): a wallet address or the demand written
#: there is shown to the reader (or read out), but is not in the rendered body text.
_ATTRIBUTE_TEXT = re.compile(r"""(?<![\w-])(?:alt|title|aria-label)\s*=\s*(?:"([^"<>]{1,1000})"|'([^'<>]{1,1000})')""",
                             re.IGNORECASE)
#: Bytes of each HTML body part, and attribute values, looked at.
MAX_HTML_BYTES, MAX_ATTRIBUTES = 1 << 20, 200


def attribute_text(items: Sequence[Item]) -> str:
    """The ``alt``/``title`` texts of the top-level HTML body parts, joined by newlines (bounded)."""
    out: list[str] = []
    for item in items:
        if item.depth > 0 or item.role != Role.BODY or item.type != ItemType.HTML:
            continue
        for m in _ATTRIBUTE_TEXT.finditer(decode_item(item, MAX_HTML_BYTES)):
            out.append(html.unescape(m.group(1) or m.group(2) or ""))
            if len(out) >= MAX_ATTRIBUTES:
                return "\n".join(out)
    return "\n".join(out)


def about_scams(text: str) -> bool:
    """Does ``text`` talk about scams (AWARENESS_WORDS distinct warning words)?"""
    return len(_warnings(prepare(text))) >= AWARENESS_WORDS


def pressed(window: str) -> str:
    """A short deadline counted out, or threats, in ``window`` (the text around a payment demand), '' when
    none."""
    t = prepare(window)
    deadline = _first(DEADLINE_SPAN, t)
    if deadline:
        return deadline
    found = [(name, m.group(0)) for name, pat in THREAT_GROUPS.items() if (m := factored(pat).search(t))]
    threats = [word for _, word in found]
    # (the bomb threat's "if I do not receive 0.08 BTC": a threat to life counts twice)
    if claim_weight(f"{name}: {word}" for name, word in found) < THREAT_MIN:
        return ""
    # a deadline named ("tonight") presses together with the claims, as a colleague's "back tonight" does not
    return _first(DEADLINE_WORD, t) or _first(DEADLINE_DAY, t) or threats[0]
