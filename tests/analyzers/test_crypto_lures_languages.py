"""Crypto investment scams, credited-coin lures and sextortion in the campaigns' languages (issue 11).

Each message is crafted here from the technique's anatomy (a celebrity or TV reveal, a trading robot
or secret platform, daily profits or passive income, the banks want it stopped, register now), written
the way the language says it; none is a corpus sample's sentence.  Each must reach the tag threshold
(5) on the crypto-theme findings alone; the same topic written as news or a notice stays below it.
"""

from __future__ import annotations

import pytest

from coinguard.analyzers.crypto_theme import CryptoThemeMessage
from coinguard.config import CryptoConfig
from coinguard.findings import Finding
from coinguard.handlers import MessageInfo
from coinguard.lures import load_lures, match_lures

from helpers import make_context

LURES = load_lures(CryptoConfig().lures_file)
TAG = 5.0


def score(subject: str, body: str) -> float:
    msg = MessageInfo(subject=subject, body_text=body)
    found: list[Finding] = list(CryptoThemeMessage().analyze_message(msg, (), (), make_context(message=msg)))
    return sum(f.score or 0.0 for f in found)


INVESTMENT_SCAMS = {
    "es": ("Un famoso presentador revela su secreto",
           "En el programa de anoche, el presentador contó en directo cómo su robot de trading con bitcoin le "
           "genera ganancias diarias sin experiencia. Miles de personas ya reciben ingresos pasivos. Regístrate "
           "hoy en la plataforma antes de que los bancos lo prohíban: plazas limitadas."),
    "de": ("Die Banken sind wütend über diese Entdeckung",
           "Ein bekannter Unternehmer verriet live im TV, wie ein KI-Handelsroboter mit Kryptowährungen täglich "
           "Gewinne erzielt. Tausende Deutsche verdienen damit tausende Euro im Monat. Registrieren Sie sich "
           "jetzt kostenlos, bevor es zu spät ist: nur noch wenige Plätze frei."),
    "fr": ("La vedette qui a quitté son émission",
           "Invitée en direct à la télévision, l'actrice a expliqué comment un robot de trading sur le bitcoin "
           "lui assure des revenus passifs. Des milliers de Français gagnent des milliers d'euros par mois. "
           "Inscrivez-vous aujourd'hui avant que les banques ne fassent fermer la plateforme."),
    "it": ("Il segreto del noto imprenditore",
           "In diretta TV l'imprenditore ha svelato il suo robot di trading sulle criptovalute: guadagni "
           "giornalieri garantiti e reddito passivo anche per chi non ha esperienza. Registrati ora, prima che "
           "sia troppo tardi: posti limitati."),
    "pt": ("O apresentador que ficou milionário",
           "Ao vivo na TV, o apresentador revelou como um robô de trading com bitcoin lhe dá lucros diários. "
           "Milhares de pessoas já têm uma renda passiva. Cadastre-se agora e abra sua conta antes que os "
           "bancos acabem com isso: vagas limitadas."),
    "nl": ("Bekende Nederlander onthult zijn geheim",
           "Live op tv vertelde de presentator hoe een handelsrobot met bitcoin hem dagelijkse winst oplevert. "
           "Duizenden Nederlanders hebben nu een passief inkomen. Registreer nu, voordat de banken dit "
           "verbieden: beperkte plaatsen."),
    "ru": ("Известный ведущий раскрыл секрет",
           "В прямом эфире ведущий рассказал, как торговый робот на криптовалюте приносит ему ежедневный доход "
           "без опыта. Тысячи людей уже получают пассивный доход. Зарегистрируйтесь сейчас, пока не поздно: "
           "количество мест ограничено."),
    "ja": ("有名人が明かした投資の秘密",
           "テレビ番組で有名人が、ビットコインの自動売買ツールで毎日の利益を得ていると告白しました。経験がなくても"
           "不労所得が手に入ります。今すぐ無料登録してください。先着100名様限定です。"),
    "en": ("The TV host who quit his job",
           "On live television the host explained how a bitcoin trading robot earns him $1,500 a day, with "
           "guaranteed daily profits even for beginners. Register now for free before the banks shut the "
           "platform down."),
    "tr": ("Ünlü iş insanı sırrını açıkladı",
           "Canlı yayında konuşan iş insanı, kripto para ticaret robotu sayesinde her gün günlük kazanç elde "
           "ettiğini anlattı. Binlerce kişi pasif gelir sahibi oldu. Hemen kaydol ve çok geç olmadan hesabınızı "
           "açın: sınırlı kontenjan."),
}


NEWS = {
    "es": ("Resumen del mercado", "El bitcoin subió un 4 % esta semana y las criptomonedas recuperaron terreno. "
           "Los analistas esperan más volatilidad tras la reunión del banco central."),
    "de": ("Marktbericht", "Bitcoin stieg diese Woche um vier Prozent, Kryptowährungen erholten sich. Analysten "
           "erwarten nach der Zinsentscheidung mehr Schwankungen."),
    "ru": ("Обзор рынка", "Биткоин за неделю вырос на четыре процента, рынок криптовалют восстановился. "
           "Аналитики ждут волатильности после заседания центрального банка."),
    "ja": ("週間マーケットレポート", "今週のビットコイン価格は4%上昇し、暗号資産市場は回復しました。"
           "アナリストは中央銀行の会合後の値動きに注目しています。"),
}


@pytest.mark.parametrize("lang", list(NEWS))
def test_crypto_news_in_each_language_stays_below_the_tag_threshold(lang: str) -> None:
    subject, body = NEWS[lang]
    assert score(subject, body) < TAG - 1.0


CREDITED = {
    "en": ("Incoming transfer", "Good news: 1.3 BTC has been credited to your account. Withdraw your funds "
           "from the dashboard before the offer expires."),
    "es": ("Saldo disponible", "Se han acreditado 0,85 BTC en su cuenta. Para retirar sus fondos, confirme sus "
           "datos hoy mismo antes de que sea tarde."),
    "de": ("Guthaben verfügbar", "Ihrem Konto wurden 0,85 BTC gutgeschrieben. Um Ihr Guthaben auszahlen zu "
           "lassen, bestätigen Sie jetzt Ihre Daten: die Auszahlung verfällt in 24 Stunden."),
    "fr": ("Solde disponible", "0,85 BTC ont été crédités sur votre compte. Pour retirer vos fonds, confirmez "
           "votre identité avant qu'il ne soit trop tard."),
    "ru": ("Баланс пополнен", "На ваш счет зачислено 0,85 BTC. Чтобы вывести средства, подтвердите данные "
           "в течение 24 часов, пока не поздно."),
}


SEXTORTION = {
    "en": ("Your account is compromised", "I have hacked your device and recorded a video of you through the "
           "camera. Pay 1200 USD in Bitcoin within 48 hours or I will send it to all your contacts."),
    "de": ("Ihr Konto wurde kompromittiert", "Ich habe Ihr Gerät gehackt und Sie beim Besuch von Pornoseiten "
           "gefilmt. Überweisen Sie 1000 Euro in Bitcoin innerhalb von 48 Stunden, sonst geht das Video an alle "
           "Ihre Kontakte."),
    "es": ("Tu cuenta ha sido comprometida", "He hackeado tu dispositivo y te grabé mientras visitabas sitios "
           "porno. Paga 1000 USD en Bitcoin en 48 horas o enviaré el vídeo a todos tus contactos."),
    "fr": ("Votre compte est compromis", "J'ai piraté votre appareil et je vous ai filmé sur des sites porno. "
           "Payez 1000 EUR en Bitcoin dans les 48 heures, sinon la vidéo part à tous vos contacts."),
}


LURES_BY_TECHNIQUE = {**{f"investment scam, {lang}": m for lang, m in INVESTMENT_SCAMS.items()},
                      **{f"coin credited with a withdrawal, {lang}": m for lang, m in CREDITED.items()},
                      **{f"sextortion paid in bitcoin, {lang}": m for lang, m in SEXTORTION.items()}}


@pytest.mark.parametrize("name", list(LURES_BY_TECHNIQUE))
def test_lure_is_tagged_in_each_language(name: str) -> None:
    subject, body = LURES_BY_TECHNIQUE[name]
    assert score(subject, body) >= TAG, match_lures(f"{subject} {body}", LURES).describe(20)


def test_coin_earned_in_a_contact_form_notification() -> None:
    # contact-form abuse: the lure typed into every field of a shop's form, which mails it out
    line = "Great news! You earned 2.4 Bitcoin! Click to see it: https://t.example/+abc"
    body = f"First Name {line} Last Name {line} Comment {line} Thank you for contacting us!"
    assert score("You have submitted the contact form", body) >= TAG


def test_genuine_deposit_notice_stays_below_the_tag_threshold() -> None:
    # the same credit wording without a call to withdraw or claim: a deposit confirmation
    body = ("Hola, hemos recibido tu depósito de 0,0500 BTC. Se han acreditado en tu cuenta y ya están "
            "disponibles. Si no reconoces esta operación, contacta con nuestro equipo de soporte.")
    assert score("Depósito recibido", body) < TAG


def test_crypto_casino_bait_is_tagged() -> None:
    body = ("Dear player, a new way to win BTC every day: wager on our provably fair dice and climb the "
            "leaderboard. Yesterday's winner won 0.0125 BTC from the daily jackpot. Play now!")
    assert score("Daily jackpot: win big today", body) >= TAG
