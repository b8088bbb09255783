"""``[report]`` settings: who we trust in the Received chain, what is too common to link, where to push.

The section is read through :func:`report_settings`: when ``coinguard.config.Config`` has a
``report`` attribute its values are used, otherwise the defaults below.  config.py can take
this dataclass as its section type as it is (``report: ReportSettings``): every field has a
type its TOML loader knows (str, bool, Literal, tuple[str, ...]) and a default.  CLI flags
override single values (``--tlp``).
"""

from __future__ import annotations

import dataclasses
import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from coinguard.errors import ConfigError
from coinguard.findings import Category, CodeInfo

if TYPE_CHECKING:
    from coinguard.config import Config

TlpName = Literal["clear", "green", "amber", "red"]
TLP_NAMES: tuple[str, ...] = ("clear", "green", "amber", "red")

#: Networks whose hops are our own relays (their Received lines are written by us).
DEFAULT_TRUSTED_NETWORKS: tuple[str, ...] = (
    "127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "fe80::/10",
)

#: Registrable domains too common to link two messages (schemas in every Office file, big
#: platforms every newsletter links to).  Sites add their own with ``[report] benign_domains``.
DEFAULT_BENIGN_DOMAINS: tuple[str, ...] = (
    "w3.org", "openxmlformats.org", "purl.org", "adobe.com", "microsoft.com", "office.com", "live.com",
    "outlook.com", "google.com", "googleapis.com", "gstatic.com", "gmail.com", "apple.com", "icloud.com",
    "facebook.com", "twitter.com", "x.com", "linkedin.com", "instagram.com", "youtube.com", "naver.com",
    "daum.net", "kakao.com", "hancom.com", "mozilla.org", "wikipedia.org", "schema.org", "example.com",
)

#: Mailbox providers where one registrable domain or one sending IP holds millions of unrelated
#: senders: a message from them links to others by its full sender address, never by domain or IP.
DEFAULT_SHARED_SENDERS: tuple[str, ...] = (
    "gmail.com", "googlemail.com", "google.com", "outlook.com", "hotmail.com", "live.com", "msn.com",
    "yahoo.com", "yahoo.co.jp", "aol.com", "icloud.com", "me.com", "mail.ru", "yandex.ru", "gmx.com",
    "gmx.de", "proton.me", "protonmail.com", "zoho.com", "naver.com", "daum.net", "hanmail.net", "kakao.com",
    "nate.com", "qq.com", "163.com", "amazonses.com", "sendgrid.net", "mailgun.org", "mailchimp.com",
)


#: The finding ``quarantine import`` adds to a message a user reported (score 0: it changes nothing).
REPORTED_CODE = "report.user_reported"
#: For the finding-code catalogue (`coinguard findings`, README table); catalogue.py reads it here.
CODES = (
    CodeInfo(REPORTED_CODE, 0.0, Category.MESSAGE,
             "informational: a user reported this message; stored by 'coinguard quarantine import'"),
)


@dataclass(frozen=True, slots=True)
class ReportSettings:
    """Defaults make every command work without a ``[report]`` section; pushes stay off."""

    tlp: TlpName = "amber"
    #: Our name in exported reports (STIX identity, MISP org-less event info, ARF Reporting-MTA).
    organization: str = ""
    #: Received hops from these hosts (exact names, or ``.example.net`` suffixes) are our own relays.
    trusted_hosts: tuple[str, ...] = ()
    trusted_networks: tuple[str, ...] = DEFAULT_TRUSTED_NETWORKS
    #: Authentication-Results from these authserv-ids are ours (besides the one in the stored verdict).
    authserv_ids: tuple[str, ...] = ()
    benign_domains: tuple[str, ...] = DEFAULT_BENIGN_DOMAINS
    shared_senders: tuple[str, ...] = DEFAULT_SHARED_SENDERS
    #: The ARF report carries the whole original message (else its headers only).
    arf_include_message: bool = False
    #: From address of reports we mail (ARF, CERT); empty: ``postmaster@<this host>``.
    report_from: str = ""
    #: Optional push, off while empty: the site's MISP and a CERT mailbox.
    misp_url: str = ""
    misp_key_file: str = ""
    misp_verify_tls: bool = True
    cert_address: str = ""
    #: SMTP relay for mailed reports, HOST:PORT; empty: ``[quarantine] release_smtp``, the Postfix
    #: listener without the milter (the bundle holds the samples: through the milter it is quarantined).
    smtp: str = ""

    def __post_init__(self) -> None:
        if self.tlp not in TLP_NAMES:
            raise ConfigError(f"report.tlp: expected one of {', '.join(TLP_NAMES)}, got {self.tlp!r}")
        for net in self.trusted_networks:
            try:
                ipaddress.ip_network(net, strict=False)
            except ValueError as exc:
                raise ConfigError(f"report.trusted_networks: {exc}") from exc

    def with_overrides(self, **values: Any) -> ReportSettings:
        """A copy with the non-None ``values`` replaced (CLI flags)."""
        return dataclasses.replace(self, **{k: v for k, v in values.items() if v is not None})


def report_settings(cfg: Config | None) -> ReportSettings:
    """The ``[report]`` section of ``cfg`` when config.py has one, else the defaults."""
    section = getattr(cfg, "report", None) if cfg is not None else None
    if section is None:
        return ReportSettings()
    if isinstance(section, ReportSettings):
        return section
    names = {f.name for f in dataclasses.fields(ReportSettings)}
    return ReportSettings(**{n: getattr(section, n) for n in names if hasattr(section, n)})
