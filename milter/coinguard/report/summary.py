"""Short human-readable summaries of a case, in English and Korean, from one template.

The labels and sentences live in :data:`TEXT` (one dict per language); :func:`render`
fills them.  Everything from the message is made printable and bounded first: a summary
is read in terminals and mail clients, and the message is attacker input.
"""

from __future__ import annotations

from collections.abc import Sequence

from coinguard.findings import sanitize_detail
from coinguard.report.campaigns import Campaign, is_campaign_id
from coinguard.report.settings import ReportSettings
from coinguard.report.techniques import techniques_for

LANGUAGES = ("en", "ko")

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title_campaign": "coinguard incident summary: campaign {id}",
        "title_message": "coinguard incident summary: message {id}",
        "what_campaign": "{n} related message(s) reached the mail gateway between {first} and {last} (UTC), "
                         "addressed to {k} recipient(s); {reported} of them reported by users.",
        "what_message": "One message reached the mail gateway at {first} (UTC), addressed to {k} recipient(s).",
        "verdicts": "Verdicts",
        "subjects": "Subjects",
        "senders": "Senders",
        "hosts": "Sending hosts",
        "files": "Attachments (sha256, name)",
        "links": "Link domains",
        "wallets": "Cryptocurrency addresses",
        "prefix_only": "(first characters only: found inside a document)",
        "techniques": "Techniques (MITRE ATT&CK)",
        "codes": "coinguard findings",
        "linked_by": "Grouped because they share",
        "none": "none",
        "handling": "Handling: TLP:{tlp}. Share only as the TLP level allows.",
        "advice": "Messages the gateway held were not delivered; messages reported by users had reached their "
                  "mailboxes. Do not open the attachments outside an analysis system; the bundle's password is "
                  "'infected'.",
    },
    "ko": {
        "title_campaign": "coinguard 사고 요약: 캠페인 {id}",
        "title_message": "coinguard 사고 요약: 메시지 {id}",
        "what_campaign": "서로 관련된 메일 {n}건이 {first}부터 {last}까지(UTC) 메일 게이트웨이에 도착했으며, "
                         "수신자는 {k}명입니다. 이 중 {reported}건은 사용자가 신고했습니다.",
        "what_message": "메일 1건이 {first}(UTC)에 메일 게이트웨이에 도착했으며, 수신자는 {k}명입니다.",
        "verdicts": "판정",
        "subjects": "제목",
        "senders": "발신자",
        "hosts": "발신 서버",
        "files": "첨부파일 (sha256, 이름)",
        "links": "링크 도메인",
        "wallets": "암호화폐 지갑 주소",
        "prefix_only": "(앞부분만 확인됨: 문서 안에서 발견)",
        "techniques": "공격 기법 (MITRE ATT&CK)",
        "codes": "coinguard 탐지 항목",
        "linked_by": "다음을 공유하여 하나로 묶였습니다",
        "none": "없음",
        "handling": "취급 등급: TLP:{tlp}. TLP 등급이 허용하는 범위에서만 공유하십시오.",
        "advice": "게이트웨이가 격리한 메일은 전달되지 않았으며, 사용자가 신고한 메일은 이미 메일함에 도착한 "
                  "것입니다. 첨부파일은 분석 환경 밖에서 열지 마십시오. 번들의 암호는 'infected'입니다.",
    },
}


def _p(text: object, limit: int = 160) -> str:
    return sanitize_detail(str(text), limit)


def _section(title: str, lines: Sequence[str], none: str, limit: int = 20) -> list[str]:
    out = [f"{title}:"]
    out += [f"  - {_p(line, 200)}" for line in lines[:limit]] or [f"  - {none}"]
    if len(lines) > limit:
        out.append(f"  - … (+{len(lines) - limit})")
    return out


def render(case: Campaign, settings: ReportSettings, lang: str = "en") -> str:
    t = TEXT[lang]
    campaign = is_campaign_id(case.id)
    when = "%Y-%m-%d %H:%M"
    out = [t["title_campaign" if campaign else "title_message"].format(id=case.id), ""]
    out.append(t["what_campaign" if campaign else "what_message"].format(
        n=len(case.members), first=case.first_seen.strftime(when), last=case.last_seen.strftime(when),
        k=len(case.recipients), reported=sum(1 for m in case.members if m.reported)))
    out.append("")
    out.append(f"{t['verdicts']}: " + ", ".join(f"{k} {v}" for k, v in sorted(case.verdicts.items())))
    if campaign and case.shared:
        out += _section(t["linked_by"], [str(s) for s in case.shared], t["none"], 8)
    subjects = list(dict.fromkeys(m.indicators.subject for m in case.members if m.indicators.subject))
    out += _section(t["subjects"], subjects, t["none"], 5)
    out += _section(t["senders"], list(case.senders), t["none"])
    hosts = []
    for m in case.members:
        o = m.indicators.origin
        if o is not None and o.ip:
            hosts.append(f"{o.ip} ({o.rdns or o.helo or '?'})")
    out += _section(t["hosts"], list(dict.fromkeys(hosts)), t["none"])
    out += _section(t["files"], [f"{f.sha256}  {f.name}" for f in case.files], t["none"])
    out += _section(t["links"], list(case.reportable_domains(settings)), t["none"])
    wallets = [f"{w.coin} {w.address}" + ("" if w.complete else f"… {t['prefix_only']}") for w in case.wallets]
    out += _section(t["wallets"], wallets, t["none"])
    out += _section(t["techniques"], [f"{x.id} {x.name}" for x in techniques_for(case.codes)], t["none"])
    out += _section(t["codes"], list(case.codes), t["none"], 30)
    out += ["", t["handling"].format(tlp=settings.tlp.upper()), t["advice"]]
    return "\n".join(out) + "\n"
