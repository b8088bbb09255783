/*
 * coinguard: Windows shortcuts (.lnk) that start a command interpreter.
 * Matched on the raw shell-link bytes; target and arguments are usually UTF-16LE
 * (wide), sometimes ANSI, so both are searched.  A shortcut to a document or folder
 * does not fire.
 */

// Memory: "1 of ($url*)" / "any of them" over strings common in ordinary mail (http://, https://) are
// written as "$a or $b": yara (fast mode) then keeps one match of them, not every one (a 20 MB HTML body
// has hundreds of thousands of links; each kept match costs ~64 bytes).

private rule coinguard_is_lnk
{
    meta:
        description = "MS-SHLLINK header (size 0x4C + LinkCLSID 00021401-0000-0000-C000-000000000046)"
        author = "coinguard"
    condition:
        uint32(0) == 0x0000004C and uint32(4) == 0x00021401 and uint32(8) == 0 and uint32be(12) == 0xC0000000
        and uint32be(16) == 0x00000046
}

private rule coinguard_lnk_names_interpreter
{
    meta:
        description = "a shortcut naming a command interpreter or living-off-the-land launcher"
        author = "coinguard"
    strings:
        $i1 = "powershell" ascii wide nocase
        $i2 = "pwsh.exe" ascii wide nocase
        $i3 = "mshta" ascii wide nocase
        $i4 = "cmd.exe" ascii wide nocase
        $i5 = /cmd(\.exe)? {1,4}\/[ck] / ascii wide nocase
        $i6 = "wscript" ascii wide nocase
        $i7 = "cscript" ascii wide nocase
        $i8 = "rundll32" ascii wide nocase
        $i9 = "regsvr32" ascii wide nocase
        $i10 = "conhost" ascii wide nocase
        $i11 = "forfiles" ascii wide nocase
        $i12 = "msiexec" ascii wide nocase
        $i13 = "bitsadmin" ascii wide nocase
        $i14 = "certutil" ascii wide nocase
        $i15 = "curl.exe" ascii wide nocase
        $i16 = "wmic" ascii wide nocase
    condition:
        any of them
}

private rule coinguard_lnk_payload
{
    meta:
        description = "shortcut arguments that fetch, decode or hide a payload"
        author = "coinguard"
    strings:
        $p1 = "http://" ascii wide nocase
        $p2 = "https://" ascii wide nocase
        $p3 = /-e(nc|ncodedcommand|c)? {1,4}[A-Za-z0-9+\/]{16}/ ascii wide nocase
        $p4 = /-w(indowstyle|in)? {1,4}(h|hidden|1)\b/ ascii wide nocase
        $p5 = "DownloadString" ascii wide nocase
        $p6 = "DownloadFile" ascii wide nocase
        $p7 = "Invoke-WebRequest" ascii wide nocase
        $p8 = "iwr " ascii wide nocase
        $p9 = "Invoke-Expression" ascii wide nocase
        $p10 = "iex" fullword ascii wide nocase
        $p11 = "FromBase64String" ascii wide nocase
        $p12 = "-decode" ascii wide nocase
        $p13 = "javascript:" ascii wide nocase
        $p14 = "vbscript:" ascii wide nocase
        $p15 = "\\\\" ascii wide
        $p16 = "Start-BitsTransfer" ascii wide nocase
    condition:
        $p1 or $p2 or $p3 or $p4 or $p5 or $p6 or $p7 or $p8 or $p9 or $p10 or $p11 or $p12 or $p13 or $p14 or $p15 or $p16
}

rule coinguard_lnk_interpreter_payload
{
    meta:
        description = "shortcut starts a command interpreter with download, encoded or hidden arguments"
        score = 15
        author = "coinguard"
        reference = "https://attack.mitre.org/techniques/T1204/002/"
    condition:
        coinguard_is_lnk and coinguard_lnk_names_interpreter and coinguard_lnk_payload
}

rule coinguard_lnk_interpreter
{
    meta:
        description = "shortcut starts powershell, mshta, cmd or another command interpreter"
        score = 10
        author = "coinguard"
        reference = "https://attack.mitre.org/techniques/T1547/009/"
    condition:
        coinguard_is_lnk and coinguard_lnk_names_interpreter and not coinguard_lnk_payload
}

rule coinguard_lnk_long_arguments
{
    meta:
        description = "shortcut with very long command-line arguments padded with whitespace (hides the command in Explorer)"
        score = 8
        author = "coinguard"
        reference = "https://www.trendmicro.com/en_us/research/25/c/windows-shortcut-zero-day-exploit.html"
    strings:
        $pad_wide = { 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00 }
        $lf_wide = { 0A 00 0A 00 0A 00 0A 00 0A 00 0A 00 0A 00 0A 00 0A 00 0A 00 0A 00 0A 00 0A 00 0A 00 0A 00 0A 00 }
    condition:
        coinguard_is_lnk and filesize < 2MB and ($pad_wide or $lf_wide)
}
