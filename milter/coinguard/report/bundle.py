"""Incident bundle: one AES-encrypted zip (password ``infected``, the community convention) to hand over.

Layout::

    summary-en.txt  summary-ko.txt      what happened, in words
    stix.json                           the STIX 2.1 bundle
    misp.json                           the MISP event
    campaign.json                       campaign view (campaigns only)
    messages/<id>.eml                   the quarantined message, byte-identical
    messages/<id>.verdict.json          its stored verdict
    messages/<id>.indicators.json       its indicators

The password keeps mail filters and virus scanners on the way (and the receiving
analyst's desktop) from touching the samples; it is not secrecy.  WinZip AES (pyzipper)
opens in 7-Zip, WinRAR, ``unzip`` builds with AES support and Python's pyzipper.
"""

from __future__ import annotations

import io
import json
from datetime import datetime
from typing import Any

import pyzipper

from coinguard.report import misp, stix, summary
from coinguard.report.campaigns import Campaign, is_campaign_id
from coinguard.report.settings import ReportSettings

PASSWORD = b"infected"


def _info(zf: pyzipper.AESZipFile, name: str, when: datetime) -> pyzipper.ZipInfo:
    info = zf.zipinfo_cls(name, date_time=when.timetuple()[:6])
    info.compress_type = pyzipper.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    return info


def _json(obj: Any) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def build(case: Campaign, settings: ReportSettings, password: bytes = PASSWORD) -> bytes:
    when = case.last_seen
    files: list[tuple[str, bytes]] = [
        (f"summary-{lang}.txt", summary.render(case, settings, lang).encode("utf-8")) for lang in summary.LANGUAGES
    ]
    files.append(("stix.json", stix.to_json(case, settings).encode("utf-8") + b"\n"))
    files.append(("misp.json", misp.to_json(case, settings).encode("utf-8") + b"\n"))
    if is_campaign_id(case.id):
        files.append(("campaign.json", _json(case.to_json())))
    for record in case.members:
        files.append((f"messages/{record.id}.eml", record.raw))
        files.append((f"messages/{record.id}.verdict.json", _json(dict(record.verdict))))
        files.append((f"messages/{record.id}.indicators.json", _json(record.indicators.to_json())))
    buf = io.BytesIO()
    with pyzipper.AESZipFile(buf, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES) as zf:
        zf.setpassword(password)
        zf.setencryption(pyzipper.WZ_AES, nbits=256)
        for name, data in files:
            zf.writestr(_info(zf, name, when), data)
    return buf.getvalue()
