"""Finding codes -> MITRE ATT&CK techniques: the one table STIX, MISP and the summaries use.

A row matches a code exactly or as a dotted prefix (``office.vba`` matches
``office.vba.autoexec``); every matching row counts.  Any message with a risky
attachment is also T1566.001 (spearphishing attachment), one with a lure link
T1566.002.  docs/reporting.md prints this table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Technique:
    id: str
    name: str

    @property
    def url(self) -> str:
        return "https://attack.mitre.org/techniques/" + self.id.replace(".", "/") + "/"

    @property
    def misp_galaxy_tag(self) -> str:
        """The MISP galaxy cluster tag (``misp-galaxy:mitre-attack-pattern="Name - T1234"``)."""
        return f'misp-galaxy:mitre-attack-pattern="{self.name} - {self.id}"'


SPEARPHISHING_ATTACHMENT = Technique("T1566.001", "Spearphishing Attachment")
SPEARPHISHING_LINK = Technique("T1566.002", "Spearphishing Link")
MALICIOUS_FILE = Technique("T1204.002", "Malicious File")
VISUAL_BASIC = Technique("T1059.005", "Visual Basic")
JAVASCRIPT = Technique("T1059.007", "JavaScript")
SCRIPTING = Technique("T1059", "Command and Scripting Interpreter")
TEMPLATE_INJECTION = Technique("T1221", "Template Injection")
DDE = Technique("T1559.002", "Dynamic Data Exchange")
OBFUSCATION = Technique("T1027", "Obfuscated Files or Information")
ENCRYPTED_FILE = Technique("T1027.013", "Encrypted/Encoded File")
CLIENT_EXPLOIT = Technique("T1203", "Exploitation for Client Execution")
MOTW_BYPASS = Technique("T1553.005", "Mark-of-the-Web Bypass")
RTLO = Technique("T1036.002", "Right-to-Left Override")
DOUBLE_EXTENSION = Technique("T1036.007", "Double File Extension")
CHM = Technique("T1218.001", "Compiled HTML File")
FORCED_AUTH = Technique("T1187", "Forced Authentication")
IMPERSONATION = Technique("T1656", "Impersonation")
LOOKALIKE_DOMAIN = Technique("T1583.001", "Domains")
PHISHING_FOR_INFO = Technique("T1598", "Phishing for Information")
CREDENTIAL_ATTACHMENT = Technique("T1598.002", "Spearphishing Attachment")  # phishing for information
MASQUERADE_FILE_TYPE = Technique("T1036.008", "Masquerade File Type")
HTML_SMUGGLING = Technique("T1027.006", "HTML Smuggling")
MALICIOUS_LINK = Technique("T1204.001", "Malicious Link")
APPLESCRIPT = Technique("T1059.002", "AppleScript")
UNIX_SHELL = Technique("T1059.004", "Unix Shell")
INSTALLER_PACKAGES = Technique("T1546.016", "Installer Packages")

#: (code or code prefix, techniques).  Order does not matter; every matching row applies.
TABLE: tuple[tuple[str, tuple[Technique, ...]], ...] = (
    ("office.vba", (MALICIOUS_FILE, VISUAL_BASIC)),
    ("office.vba.obfuscation", (OBFUSCATION,)),
    ("office.vba.stomping", (OBFUSCATION,)),
    ("office.xlm", (MALICIOUS_FILE,)),
    ("office.mraptor", (MALICIOUS_FILE,)),
    ("office.equation_editor", (CLIENT_EXPLOIT,)),
    ("office.embedded_object", (MALICIOUS_FILE,)),
    ("office.package_executable", (MALICIOUS_FILE,)),
    ("office.encrypted", (ENCRYPTED_FILE,)),
    ("office.disguised_xml", (MASQUERADE_FILE_TYPE,)),
    ("office.disguised_active", (MASQUERADE_FILE_TYPE, MALICIOUS_FILE)),
    ("office.disguised_blank", (MASQUERADE_FILE_TYPE,)),
    ("office.ppaction_macro", (MALICIOUS_FILE, VISUAL_BASIC)),
    ("office.ppaction_program", (MALICIOUS_FILE,)),
    ("ooxml.ppaction_macro", (MALICIOUS_FILE, VISUAL_BASIC)),
    ("ooxml.ppaction_program", (MALICIOUS_FILE,)),
    ("ooxml.remote_template", (TEMPLATE_INJECTION,)),
    ("ooxml.external_ole", (TEMPLATE_INJECTION,)),
    ("ooxml.exploit_uri", (CLIENT_EXPLOIT,)),
    ("ooxml.unc_target", (FORCED_AUTH,)),
    ("ooxml.embedded_ole", (MALICIOUS_FILE,)),
    ("ooxml.activex", (MALICIOUS_FILE,)),
    ("rtf.equation_editor", (CLIENT_EXPLOIT,)),
    ("rtf.objupdate", (CLIENT_EXPLOIT,)),
    ("rtf.ole2link", (CLIENT_EXPLOIT,)),
    ("rtf.obfuscation", (OBFUSCATION,)),
    ("rtf.object", (MALICIOUS_FILE,)),
    ("rtf.package_executable", (MALICIOUS_FILE,)),
    ("dde.command", (DDE,)),
    ("dde.field", (DDE,)),
    ("hwp.eps", (CLIENT_EXPLOIT,)),
    ("hwp.ole_object", (MALICIOUS_FILE,)),
    ("hwp.script", (MALICIOUS_FILE,)),
    ("file.postscript_exploit", (CLIENT_EXPLOIT,)),
    ("lnk.exec", (MALICIOUS_FILE,)),
    ("lnk.obfuscated_args", (OBFUSCATION,)),
    ("lnk.remote_target", (FORCED_AUTH,)),
    ("lnk.icon_spoof", (MALICIOUS_FILE,)),
    ("pdf.javascript", (JAVASCRIPT,)),
    ("pdf.launch", (MALICIOUS_FILE,)),
    ("pdf.uri_unc", (FORCED_AUTH,)),
    ("pdf.link_lure", (SPEARPHISHING_LINK,)),
    ("pdf.embedded_file", (MALICIOUS_FILE,)),
    ("pdf.credential_lure", (CREDENTIAL_ATTACHMENT,)),
    ("pdf.signin_alert", (CREDENTIAL_ATTACHMENT,)),
    ("pdf.credential_form", (CREDENTIAL_ATTACHMENT,)),
    ("pdf.click_through", (SPEARPHISHING_LINK, MALICIOUS_LINK)),
    ("pdf.link_download", (SPEARPHISHING_LINK, MALICIOUS_LINK)),
    ("markup.smuggling", (HTML_SMUGGLING,)),
    ("markup.svg_script", (JAVASCRIPT,)),
    ("markup.hh_shortcut", (CHM,)),
    ("markup.credential_form", (CREDENTIAL_ATTACHMENT,)),
    ("macos", (MALICIOUS_FILE,)),
    ("macos.applescript", (APPLESCRIPT,)),
    ("macos.script_behavior", (UNIX_SHELL,)),
    ("macos.package_scripts", (INSTALLER_PACKAGES,)),
    ("macos.install_script_behavior", (INSTALLER_PACKAGES, UNIX_SHELL)),
    ("qr.url", (SPEARPHISHING_LINK,)),
    ("links", (SPEARPHISHING_LINK,)),
    ("onenote.embedded_executable", (MALICIOUS_FILE,)),
    ("onenote.embedded_file", (MALICIOUS_FILE,)),
    ("file.executable", (MALICIOUS_FILE,)),
    ("file.script", (MALICIOUS_FILE, SCRIPTING)),
    ("file.script_behavior", (SCRIPTING,)),
    ("file.chm", (CHM,)),
    ("file.rtlo", (RTLO,)),
    ("file.double_extension", (DOUBLE_EXTENSION,)),
    ("file.url_remote_target", (FORCED_AUTH,)),
    ("file.iqy", (MALICIOUS_FILE,)),
    ("file.slk", (MALICIOUS_FILE,)),
    ("container.disk_image", (MOTW_BYPASS,)),
    ("archive.encrypted", (ENCRYPTED_FILE,)),
    ("brand.spoofed_domain", (IMPERSONATION,)),
    ("brand.impersonation", (IMPERSONATION,)),
    ("brand.lookalike_domain", (LOOKALIKE_DOMAIN, IMPERSONATION)),
    ("brand.lookalike_link", (SPEARPHISHING_LINK, LOOKALIKE_DOMAIN)),
    ("brand.link_text_mismatch", (SPEARPHISHING_LINK,)),
    ("crypto.seed_request", (PHISHING_FOR_INFO,)),
)

#: Code families whose findings are evidence against the attachment itself (delivery = T1566.001).
ATTACHMENT_FAMILIES = frozenset({
    "office", "ooxml", "rtf", "dde", "hwp", "lnk", "pdf", "onenote", "file", "container", "archive", "yara",
    "markup", "macos",
})


def _matches(code: str, key: str) -> bool:
    return code == key or code.startswith(key + ".")


def techniques_for(codes: Iterable[str]) -> tuple[Technique, ...]:
    """Every technique the codes name, delivery first, without repeats."""
    codes = tuple(codes)
    found: dict[str, Technique] = {}
    if any(_is_attachment_code(c) for c in codes):
        found[SPEARPHISHING_ATTACHMENT.id] = SPEARPHISHING_ATTACHMENT
    for code in codes:
        for key, techs in TABLE:
            if _matches(code, key):
                for t in techs:
                    found.setdefault(t.id, t)
    return tuple(found.values())


def _is_attachment_code(code: str) -> bool:
    return code.split(".", 1)[0] in ATTACHMENT_FAMILIES and not code.endswith("parse_error")


def codes_for(technique: Technique, codes: Iterable[str]) -> tuple[str, ...]:
    """The codes among ``codes`` that name ``technique`` (for descriptions)."""
    out = []
    for code in codes:
        delivery = technique == SPEARPHISHING_ATTACHMENT and _is_attachment_code(code)
        if delivery or any(_matches(code, key) and technique in techs for key, techs in TABLE):
            out.append(code)
    return tuple(dict.fromkeys(out))


def markdown_table() -> str:
    """The mapping as the Markdown table in docs/reporting.md (kept equal by a test)."""
    lines = ["| finding code (or prefix) | ATT&CK technique |", "|---|---|",
             f"| any attachment finding ({', '.join(sorted(ATTACHMENT_FAMILIES))}) | "
             f"{SPEARPHISHING_ATTACHMENT.id} {SPEARPHISHING_ATTACHMENT.name} |"]
    lines += [f"| `{key}` | " + ", ".join(f"{t.id} {t.name}" for t in techs) + " |" for key, techs in TABLE]
    return "\n".join(lines)
