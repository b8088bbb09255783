"""The parts of the extortion, fake-balance and get-rich techniques, found by their structure, not by phrases.

Shared by :mod:`coinguard.analyzers.crypto_theme` (which grades the anatomy) and
:mod:`coinguard.analyzers.addresses` (which asks whether a payment demand next to an address is
pressed by a short deadline or a threat).

A sextortion or bomb-threat mail paraphrases freely, but it always has the same parts: a claim that
holds the reader (a hack, a recording, something shameful, a threat to expose or to harm), a payment
in a coin (a wallet address or the coin's name, an amount), and a short deadline or a demand for
secrecy.  A fake-balance mail has others: coins or money credited to the reader (a balance, a payout,
a withdrawal), a way to act on it (a link, "confirm", "withdraw") and pressure (a short deadline, a
fee to release it, an account about to expire).  A get-rich investment lure: the coin, wealth promised,
earning (at a rate), the robot or chance that makes it, and a call to join.  Each part is a small
vocabulary of stems in the campaigns' languages (en, de, fr, es, it, pt, nl, tr, pl, ru, ko, ja, zh);
a mail counts when it has the parts together, whatever its sentences.  A text that talks *about* such mail (a security
newsletter, a news digest quoting a campaign) says so with warning vocabulary (scam, fraud,
phishing, "do not pay"), which takes the anatomy away.

Every pattern is an alternation of literal stems with bounded gaps: one linear pass per part.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from coinguard.findings import Item, Role
from coinguard.sniff import ItemType
from coinguard.text import RegexGate, decode_item

#: Characters of text looked at (the beginning of a long body carries the lure).
MAX_ANATOMY_CHARS = 100_000

_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\ufeff"))


@lru_cache(maxsize=8)
def prepare(text: str) -> str:
    """Text as the parts are matched: NFKC, invisible characters removed, case-folded, accents taken off
    Latin letters only (a Japanese voiced mark or a Hangul syllable stays whole), spaces collapsed."""
    text = unicodedata.normalize("NFKC", text[:MAX_ANATOMY_CHARS].translate(_INVISIBLE)).casefold()
    if not text.isascii():
        out: list[str] = []
        for ch in unicodedata.normalize("NFD", text):
            if unicodedata.combining(ch) and out and out[-1] < "\u0250":
                continue  # an accent on a Latin letter
            out.append(ch)
        text = unicodedata.normalize("NFC", "".join(out))
    return re.sub(r"\s+", " ", text)


def _stems(*words: str) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


#: Left boundary for Latin stems (CJK and Hangul match anywhere).
_L = r"(?<![a-z])"

#: The coin: its names and tickers (bitcoin with a case ending: "bitcoinowi", "bitcoins").
COIN = re.compile(_L + "(?:" + _stems(
    "btc", "satoshi", "ethereum", "usdt", "tether", "litecoin", "ltc", "monero", "xmr", "dogecoin", "tron", "trx",
    "crypto", "krypto", "cripto", "kripto", "ether",
) + r"|bitcoin[a-z]{0,3})(?![a-z])"
    "|₿|биткоин|биткойн|криптовалют|比特币|比特幣|ビットコイン|비트코인|暗号資産|加密货币|암호화폐")
#: A coin amount: digits next to a ticker or a coin's name, either way round ("0.05 BTC", "BTC 0,05", "₿0.1").
COIN_AMOUNT = re.compile(
    r"(?<![\w.])\d[\d.,' ]{0,15}\s?(?:btc|bitcoins?|eth|ether|usdt|ltc|xmr|trx|doge|sats|satoshis?"
    r"|биткоин\w{0,3})(?![a-z])"
    r"|(?<![a-z])(?:btc|₿|eth|usdt)\s?(?:of\s)?\d[\d.,]*(?![\w#])")
#: Money: a currency sign or name next to digits.
MONEY = re.compile(
    r"[$€£¥₩₽]\s?\d[\d.,]*|\d[\d.,' ]{0,15}\s?(?:[$€£¥₽]|usd|eur|dollars?|euros?|dolares|dolari|dolar|долл\w{0,4}"
    r"|руб\w{0,4}|달러|만\s?원|원|ドル|美元|zl|pln|chf|gbp)(?![a-z])")
#: A short deadline (hours, up to three days, tonight, midnight, a countdown): extortion and fake payouts give
#: hours.  "Within 30 days" is an invoice's term, not pressure.
DEADLINE = re.compile(
    r"(?<![\d.,])(?:[1-9]|[1-6]\d|7[0-2])\s?-?\s?(?:hours?|hrs?|h(?![a-z])|horas?|heures?|stunden?|std(?![a-z])|ore"
    r"|uur|saat|godzin\w?|час\w{0,3}|시간|時間|小时|小時)(?![a-z])"
    r"|(?<![\d.,])[1-3]\s?(?:days?|dias?|jours?|tagen?|giorni|dagen|gun|dni|дн\w{0,3}|일\s?(?:이내|안에|내)|日以内|天内)(?![a-z])"
    r"|" + _L + "(?:" + _stems(
        "two days", "three days", "deux jours", "trois jours", "zwei tage", "drei tage", "dos dias", "tres dias",
        "due giorni", "tre giorni", "dois dias", "twee dagen", "drie dagen", "iki gun", "dwa dni",
        "midnight", "minuit", "mitternacht", "medianoche", "mezzanotte", "meia-noite", "middernacht", "polnoc",
        "tonight", "ce soir", "heute nacht", "esta noche", "stanotte", "hoje a noite", "vannacht",
        "countdown", "compte a rebours", "cuenta atras", "conto alla rovescia", "contagem regressiva",
        "deadline", "date limite", "frist", "plazo", "scadenza", "prazo", "termijn",
        "twenty-four hours", "forty-eight hours", "seventy-two hours", "twenty four hours", "forty eight hours",
    ) + ")(?![a-z])|сутк|полуноч|자정|오늘 밤|今夜|午夜|今晚|двух дней|двое суток|이틀|二日|两天|48시간|24시간")
#: A demand to pay, send or transfer (en, es, pt, fr, de, it, nl, tr, pl, ru, ko, ja, zh).
DEMAND = re.compile(
    _L + "(?:" + _stems(
        "pay", "payment", "send", "transfer", "deposit", "wire", "ransom", "remit", "envia", "envie", "enviar",
        "envien", "paga", "pague", "pagar", "pago", "transfiere", "transfira", "transferir", "deposita", "deposite",
        "envoyez", "envoyer", "payez", "payer", "paiement", "virement", "transferez", "versez", "senden", "sende",
        "uberweisen", "uberweisung", "zahlen", "bezahlen", "zahlung", "invia", "inviare", "pagare", "pagamento",
        "trasferisci", "bonifico", "stuur", "betaal", "betalen", "betaling", "overmaken", "maak over",
        "gonder", "odeyin", "odeme", "zaplac", "przelej", "wyslij", "platnosc", "losegeld",
        "rescate", "rancon", "riscatto", "resgate", "losgeld", "fidye", "okup",
    ) + ")|отправ|перевед|перевод|оплат|заплат|выкуп|입금|송금|이체|보내|지불|결제|납부|送金|支払|振り込|振込|身代金"
    "|发送|支付|转账|付款|汇款|赎金")

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
    ) + ")|взлом|вирус|троян|доступ к|парол|해킹|악성|비밀번호|ハッキング|ウイルス|パスワード|黑客|病毒|木马|密码"),
    # a recording: the camera, a video, screenshots
    "record": re.compile(_L + "(?:" + _stems(
        "webcam", "camera", "kamera", "camara", "telecamera", "kamerka", "video", "videos", "footage", "recorded",
        "recording", "filmed", "gefilmt", "aufgenommen", "aufnahme", "grabado", "grabe", "grabacion", "filmado",
        "filme", "enregistre", "enregistrement", "registrato", "registrazione", "gravado", "gravei", "gravacao",
        "opgenomen", "opname", "nagranie", "nagral", "kaydettim", "kayit", "screenshot", "screenshots",
        "screen capture", "microphone", "mikrofon", "microfono",
    ) + ")|камер|видео|запис|영상|동영상|녹화|카메라|動画|録画|カメラ|视频|录像|摄像头"),
    # something shameful: adult sites, intimacy
    "shame": re.compile(_L + "(?:" + _stems(
        "porn", "porno", "pornographic", "pornografico", "pornografia", "pornografische", "adult", "adulte",
        "adulto", "adulti", "erwachsene", "volwassen", "xxx", "masturbat", "masturb", "nude", "naked", "nackt",
        "desnudo", "nudo", "naakt", "intimate", "intime", "intim", "intimo", "sex", "sexual", "sexuel",
        "sexuell", "sexo", "sesso", "seks", "explicit", "compromising", "kompromittierend", "comprometedor",
        "compromettant", "compromettente",
    ) + ")|порно|интим|голы|성인|음란|야동|アダルト|エロ|色情|成人|裸"),
    # exposure: to your contacts, published, leaked
    "expose": re.compile(_L + "(?:" + _stems(
        "contacts", "contact list", "kontakte", "contactos", "contatos", "contatti", "contacten", "kisileri",
        "kontakty", "your family", "your colleagues", "your friends", "publish", "published", "leak", "leaked",
        "expose", "release the", "veroffentlichen", "veroffentlicht", "publicar", "publicare", "publier",
        "publiceren", "pubblicare", "divulgar", "divulguer", "divulgare", "verbreiten", "difundir", "diffuser",
        "diffondere", "verspreiden", "yayinla", "opublikuj", "social media", "reseaux sociaux", "redes sociales",
    ) + ")|контакт|опублик|разошл|распростран|연락처|유포|공개|連絡先|公開|拡散|联系人|公开|曝光"),
    # harm: a bomb, a hit man
    "harm": re.compile(_L + "(?:" + _stems(
        "bomb", "bombe", "bomba", "explosive", "explosif", "explosivo", "sprengstoff", "esplosivo", "explosief",
        "detonate", "detonator", "hitman", "hit man", "sicario", "killer", "kill you", "assassin", "tueur",
        "matarte", "ti uccid", "dich toten",
    ) + ")|бомб|взрыв|убийц|убью|폭탄|폭발|살해|爆弾|爆発|殺|炸弹|爆炸|杀"),
}
#: Demands of silence, and the threat of telling the police (part of the pressure).
SECRECY = re.compile(_L + "(?:" + _stems(
    "police", "polizei", "policia", "polizia", "politie", "polis", "policja", "do not tell", "don't tell",
    "tell no one", "tell anyone", "no one", "nobody", "niemand", "nadie", "personne", "nessuno", "ninguem",
    "kimseye", "nikomu", "keep this", "secret", "geheim", "secreto", "segreto", "segredo", "gizli", "sekret",
    "do not reply", "don't reply", "do not respond", "nicht antworten", "no respondas", "ne repondez pas",
) + ")|полици|никому|секрет|경찰|비밀|아무에게|警察|秘密|誰にも|任何人")

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
    # waiting for the reader
    "waiting for you", "awaiting you", "wartet auf sie", "wartet auf dich", "te espera", "le espera",
    "vous attend", "ti aspetta", "espera por voce", "wacht op u", "wacht op je", "sizi bekliyor", "czeka na ciebie",
) + ")|баланс|зачислен|вывод|выплат|вы получили|잔액|잔고|출금|적립|입금되|残高|出金|入金|余额|提现|到账|奖励")
#: Acting on it: withdraw, claim, confirm, log in, activate.
ACT = re.compile(_L + "(?:" + _stems(
    "withdraw", "claim", "confirm", "activate", "log in", "login", "sign in", "verify", "redeem", "collect",
    "access your", "retirar", "reclamar", "confirmar", "confirme", "activar", "retirer", "reclamer", "confirmer",
    "confirmez", "activer", "abheben", "auszahlen", "einfordern", "bestatigen", "bestatigung", "aktivieren",
    "anmelden", "prelevare", "riscuotere", "confermare", "conferma", "attivare", "sacar", "resgatar", "ativar",
    "opnemen", "claimen", "bevestig", "bevestigen", "activeer", "inloggen", "cek", "onayla", "aktif et",
    "wyplac", "odbierz", "potwierdz", "aktywuj", "zaloguj", "genehmigen", "approve", "aprobar", "approuver",
    "approvare", "aprovar", "goedkeuren",
) + ")|вывести|подтверд|активир|войдите|получить|출금하|확인|수령|로그인|出金|確認|受け取|ログイン|提现|确认|领取|登录")
#: Pressure on a balance: a fee to release it.
FEE = re.compile(_L + "(?:" + _stems(
    "fee", "fees", "commission", "gebuhr", "gebuhren", "comision", "frais", "commissione", "taxa", "tarifa",
    "kosten", "ucret", "oplata",
) + ")|комисси|수수료|手数料|手续费")
#: Pressure on a balance: an account or a payout about to expire, burn or be blocked.
EXPIRY = re.compile(_L + "(?:" + _stems(
    "expire", "expires", "expired", "expiring", "blocked", "frozen", "suspended", "deleted", "forfeit", "burn",
    "blockage", "lockout", "lauft ab", "verfallt", "gesperrt", "geloscht", "expira", "caduca", "caduque", "vence",
    "bloqueado", "bloquee", "scade", "bloccato", "verloopt", "geblokkeerd", "vervalt", "sona erer", "engellen",
    "wygasa", "zablokowan", "last chance", "letzte chance", "ultima oportunidad", "derniere chance",
    "ultima possibilita", "ultima chance", "laatste kans",
) + ")|сгорит|заблокир|истека|만료|소멸|차단|期限|失効|过期|冻结")
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
) + ")|на ваш сч|на вашем сч|вы выиграли|вы заработали")

#: Get-rich promises: wealth, millionaires, financial freedom (the bitcoin investment-robot spam).
WEALTH = re.compile(_L + "(?:" + _stems(
    "get rich", "rich", "millionaire", "millionaires", "billionaire", "fortune", "wealth", "wealthy",
    "financial freedom", "passive income", "reich", "millionar", "milliardar", "vermogen", "reichtum",
    "finanzielle freiheit", "passives einkommen", "riche", "millionnaire", "liberte financiere", "revenu passif",
    "rico", "rica", "ricos", "millonario", "millonaria", "millonarios", "fortuna", "riqueza", "libertad financiera",
    "ingresos pasivos", "ricco", "ricchi", "milionario", "milionari", "ricchezza", "liberta finanziaria",
    "reddito passivo", "rendimento passivo", "milionaria", "renda passiva", "liberdade financeira", "rijk",
    "miljonair", "miljonairs", "rijkdom", "financiele vrijheid", "passief inkomen", "zengin", "milyoner",
    "bogaty", "bogactwo", "milioner", "milionerem", "niezaleznosc finansowa",
) + ")|богат|миллионер|부자|백만장자|億万長者|大金持ち|富翁|财富|致富")
#: Earning: the verb, or money at a rate ("€1,200 a day", "jeden Tag", "ogni giorno").
EARN = re.compile(_L + "(?:" + _stems(
    "earn", "earning", "earnings", "make money", "making money", "profit", "profits", "returns", "verdienen",
    "verdient", "geld machen", "gewinne", "rendite", "gagner", "gagnez", "gains", "rendement", "ganar", "gane",
    "ganancias", "rentabilidad", "guadagnare", "guadagna", "guadagni", "rendimento", "ganhar", "ganhe", "lucro",
    "lucros", "verdien", "winst", "kazanc", "kazanin", "kazan", "zarabiac", "zarabiaj",
    "zarobki", "zysk", "per day", "a day", "every day", "daily", "per week", "a week", "per month", "a month",
    "pro tag", "am tag", "jeden tag", "taglich", "pro woche", "pro monat", "im monat", "par jour", "chaque jour",
    "par semaine", "par mois", "al dia", "por dia", "cada dia", "a la semana", "al mes", "por mes", "al giorno",
    "ogni giorno", "a settimana", "al mese", "por semana", "por mes", "per dag", "elke dag", "per maand",
    "gunluk", "gunde", "aylik", "dziennie", "miesiecznie",
) + ")|зараб|прибыл|доход|в день|в месяц|수익|벌|毎日|稼|収益|赚|收益|每天")
#: The machine that makes the money: a trading robot, an AI, a platform; the banks that "hide" it.
SYSTEM = re.compile(_L + "(?:" + _stems(
    "trading robot", "trading bot", "robot", "bot", "algorithm", "ai", "artificial intelligence", "ki",
    "kunstliche intelligenz", "ia", "intelligence artificielle", "inteligencia artificial", "intelligenza artificiale",
    "inteligencia artificial", "kunstmatige intelligentie", "yapay zeka", "sztuczna inteligencja", "platform",
    "plattform", "plateforme", "plataforma", "piattaforma", "platforma", "software", "logiciel", "system",
    "systeme", "sistema", "systeem", "banks", "banken", "banques", "bancos", "banche", "opportunity", "chance",
    "occasione", "oportunidad", "opportunite", "oportunidade", "kans", "firsat", "okazja", "loophole", "secret",
    "experts", "experten", "expertos", "esperti", "especialistas",
) + ")(?![a-z])|робот|платформ|искусственн|банк|로봇|플랫폼|인공지능|ロボット|プラットフォーム|人工知能"
    "|机器人|平台|人工智能")
#: Joining it: register, sign up, start, try, watch, invest now.
JOIN = re.compile(_L + "(?:" + _stems(
    "register", "sign up", "signup", "join", "start now", "start earning", "get started", "try it", "invest now",
    "watch the video", "watch video", "registrieren", "registrieren sie", "anmelden", "mitmachen", "machen sie mit",
    "ausprobieren", "jetzt starten", "jetzt investieren", "video anschauen", "inscrivez", "inscrivez-vous",
    "inscription", "rejoignez", "commencez", "investissez", "registrese", "registrate", "unase", "unete",
    "empiece", "empieza", "invierta", "registrati", "iscriviti", "unisciti", "inizia", "investi ora", "cadastre",
    "cadastre-se", "inscreva", "junte-se", "comece", "invista", "registreer", "meld je aan", "meld u aan",
    "doe mee", "begin nu", "investeer", "kaydol", "katil", "basla", "zarejestruj", "dolacz", "zacznij", "inwestuj",
) + ")|зарегистр|присоедин|начните|инвестир|가입|등록|시작하|登録|参加|始め|注册|加入|开始")


#: The extortioner speaks for himself ("I hacked", "my software"): a report about extortion speaks of them.
FIRST_PERSON = re.compile(_L + "(?:" + _stems(
    "i", "i've", "i'm", "i am", "i have", "my", "me", "ich", "mein", "meine", "mir", "mich", "je", "j'ai", "moi",
    "mon", "ma", "mes", "yo", "tengo", "mis", "io", "ho", "mio", "mia", "eu", "meu", "minha", "tenho", "ik",
    "mijn", "ben", "benim", "mam", "moj", "moje", "moja",
) + ")(?![a-z'])|(?<![а-яё])(?:я|мне|мой|моя|мои|меня)(?![а-яё])|내가|제가|나는|저는|私|僕|俺|我")
#: Warning vocabulary: a text about scams (a security newsletter, a news digest quoting a campaign).
AWARENESS = re.compile(_L + "(?:" + _stems(
    "scam", "scams", "scammer", "scammers", "fraud", "fraudster", "fraudsters", "phishing", "sextortion",
    "awareness", "warning signs", "do not pay", "don't pay", "never pay", "report it", "researchers",
    "victims", "campaign", "betrug", "betruger", "estafa", "estafadores", "arnaque", "escroquerie", "escrocs",
    "truffa", "truffatori", "golpe", "golpistas", "oplichting", "oplichters", "dolandiricilik", "oszustwo",
    "oszusci", "nicht zahlen", "no pague", "ne payez pas", "non pagate", "nao pague", "niet betalen",
) + ")|мошенн|фишинг|не платите|사기|피싱|詐欺|フィッシング|诈骗|钓鱼")
#: Distinct warning words that make a text one *about* scams.
AWARENESS_WORDS = 2
#: Distinct threat groups an extortion needs.
THREAT_MIN = 2


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
    pressure: str  # a fee or an expiry
    awareness: tuple[str, ...]
    first_person: str
    credited: str = ""  # an amount (or the coin) next to the balance word: what is held out
    expiry: str = ""
    credentials: str = ""
    wealth: str = ""
    earn: str = ""
    system: str = ""
    join: str = ""

    @property
    def about_scams(self) -> bool:
        return len(self.awareness) >= AWARENESS_WORDS

    def extortion(self, address: bool = False) -> str:
        """The parts of an extortion ('' unless there are all of them): two claims that hold the reader, a
        payment in a coin (an address or the coin named), a demand or an amount, a deadline or secrecy."""
        harm = any(t.startswith("harm:") for t in self.threats)
        if self.about_scams or not self.first_person or len(self.threats) + harm < THREAT_MIN:
            return ""
        if not (address or self.coin or self.coin_amount):
            return ""
        if not (self.demand or self.money or self.coin_amount):
            return ""
        if not (self.deadline or self.secrecy or (harm and self.demand)):
            return ""
        pay = "an address" if address else (self.coin_amount or self.coin)
        press = self.deadline or self.secrecy or "a demand"
        return f"{', '.join(self.threats)}; pays in {pay}; {self.demand or self.money or self.coin_amount}; {press}"

    def investment(self, link: bool = False) -> str:
        """The parts of a get-rich investment lure ('' unless there are all of them): the coin, a promise of
        wealth, earning, and a call to join (or, with the machine or chance that makes the money, a link)."""
        if self.about_scams or not (self.coin and self.wealth and self.earn):
            return ""
        join = self.join or ("a link" if link and self.system else "")
        if not join:
            return ""
        return "; ".join(p for p in (self.coin, self.wealth, self.earn, self.system, join) if p)

    def fake_balance(self, link: bool = False) -> str:
        """The parts of a fake balance ('' unless there are all of them): coins (or money with the coin named)
        credited, a call to act on them (or a link), and pressure (a short deadline, a fee, expiry); without
        an amount, the coin named with a call to act and a short deadline."""
        if self.about_scams or not self.credited or not (self.coin_amount or self.coin):
            return ""
        amount = self.credited
        if amount == self.coin and not (self.act and (self.deadline or self.expiry)):
            return ""  # "your Bitcoin payout is ready: confirm within 48 hours" names no amount
        # handing over the login of an account full of coins is the call to act and the bait at once
        given = f"credentials '{self.credentials}'" if self.credentials else ""
        act = self.act or given or ("a link" if link else "")
        press = self.deadline or self.pressure or given
        if not (act and press):
            return ""
        return f"{amount} {self.balance or 'credited'}; {act}" + (f"; {press}" if press != act else "")


#: Characters around a balance word searched for the amount credited (or, without one, the coin's name).
CREDIT_WINDOW, COIN_WINDOW = 80, 25
#: Balance words looked at.
MAX_BALANCE_WORDS = 20


_CREDIT_WORDS = re.compile(f"{BALANCE.pattern}|{CREDIT_TO_READER.pattern}")


def _credited(t: str, may: Callable[[re.Pattern[str]], bool] | None = None) -> str:
    """The amount (a coin amount or money) next to a balance word, else the coin named right by it, else ''."""
    coin = ""
    if may is not None and not may(_CREDIT_WORDS):
        return ""
    for n, m in enumerate(_CREDIT_WORDS.finditer(t)):
        if n >= MAX_BALANCE_WORDS:
            break
        near = t[max(0, m.start() - CREDIT_WINDOW):m.end() + CREDIT_WINDOW]
        amount = COIN_AMOUNT.search(near) or MONEY.search(near)
        if amount:
            return amount.group(0).strip()
        if not coin:
            c = COIN.search(t[max(0, m.start() - COIN_WINDOW):m.end() + COIN_WINDOW])
            coin = c.group(0) if c else ""
    return coin


def _first(pattern: re.Pattern[str], text: str) -> str:
    m = pattern.search(text)
    return m.group(0).strip() if m else ""


@lru_cache(maxsize=1)
def _gate() -> RegexGate:
    """The vocabularies' required words, found in one pass before any of their searches."""
    return RegexGate([COIN, COIN_AMOUNT, MONEY, DEADLINE, DEMAND, SECRECY, BALANCE, ACT, EXPIRY, FEE, FIRST_PERSON,
                      CREDENTIALS, WEALTH, EARN, SYSTEM, JOIN, AWARENESS, _CREDIT_WORDS, *THREAT_GROUPS.values()])


def anatomy(text: str) -> Anatomy:
    """The parts of the techniques in ``text`` (any language of the vocabularies), one pass per part
    (and none for a vocabulary none of whose required words the text holds)."""
    t = prepare(text)
    may = _gate().open(t)

    def first(pattern: re.Pattern[str]) -> str:
        return _first(pattern, t) if may(pattern) else ""

    threats = tuple(f"{name}: {m.group(0)}" for name, pat in THREAT_GROUPS.items() if may(pat) and (m := pat.search(t)))
    return Anatomy(
        threats, first(COIN), first(COIN_AMOUNT), first(MONEY), first(DEADLINE), first(DEMAND),
        first(SECRECY), first(BALANCE), first(ACT), first(EXPIRY) or first(FEE), _warnings(t, may),
        first(FIRST_PERSON), credited=_credited(t, may), expiry=first(EXPIRY), credentials=first(CREDENTIALS),
        wealth=first(WEALTH), earn=first(EARN),
        system=first(SYSTEM), join=first(JOIN))


def _warnings(t: str, may: Callable[[re.Pattern[str]], bool] | None = None) -> tuple[str, ...]:
    """The first AWARENESS_WORDS distinct warning words of prepared text ``t``."""
    seen: list[str] = []
    if may is not None and not may(AWARENESS):
        return ()
    for m in AWARENESS.finditer(t):
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
    """A short deadline or a threat in ``window`` (the text around a payment demand), '' when none."""
    t = prepare(window)
    deadline = _first(DEADLINE, t)
    if deadline:
        return deadline
    threats = [m.group(0) for pat in THREAT_GROUPS.values() if (m := pat.search(t))]
    return threats[0] if len(threats) >= THREAT_MIN else ""
