/*
 * coinguard: PostScript/EPS that writes files or runs hidden code.
 * EPS is the classic exploit carrier in Hangul (HWP BinData, zlib-inflated by the HWP
 * analyzer before YARA sees it) and in old Office EPS filter exploits.  Harmless EPS
 * images draw; they do not open files for writing, read environment variables or
 * execute long hex strings.
 */

private rule coinguard_is_postscript
{
    meta:
        description = "PostScript text, or a DOS EPS binary header pointing at PostScript"
        author = "coinguard"
    condition:
        uint32be(0) == 0x25215053
        or (uint32be(0) == 0xC5D0D3C6 and uint32(4) < filesize and uint32be(uint32(4)) == 0x25215053)
}

rule coinguard_eps_dropper
{
    meta:
        description = "PostScript that writes files, reads the environment or names a script host (EPS dropper)"
        score = 15
        author = "coinguard"
        reference = "https://asec.ahnlab.com/en/17829/"
    strings:
        $write_file = /\(w\)[ \t\r\n]*file\b/
        $writestring = "writestring"
        $getenv = "getenv"
        $host1 = "WScript" nocase
        $host2 = "powershell" nocase
        $host3 = "cmd.exe" nocase
        $host4 = "\\Start Menu\\Programs\\Startup" nocase
        $host5 = "mshta" nocase
        $host6 = "rundll32" nocase
    condition:
        coinguard_is_postscript and filesize < 20MB
        and (($write_file and $writestring) or ($getenv and ($write_file or 1 of ($host*))) or 2 of ($host*))
}

rule coinguard_eps_hex_exec
{
    meta:
        description = "PostScript that decodes a long hex string and executes it (EPS exploit loader)"
        score = 15
        author = "coinguard"
        reference = "https://www.fireeye.com/blog/threat-research/2017/05/eps-processing-zero-days.html"
    strings:
        $hex1 = "readhexstring"
        $hex2 = "ASCIIHexDecode"
        $hex3 = "/AHx"
        $exec1 = /token[ \t\r\n]+pop[ \t\r\n]+exch[ \t\r\n]+pop[ \t\r\n]+exec/
        $exec2 = /xor[ \t\r\n]+put/
        $exec3 = /\bcvx[ \t\r\n]+exec\b/
        $exec4 = "bitshift" nocase
    condition:
        coinguard_is_postscript and filesize < 20MB
        and ($exec1 or ($exec2 and ($exec3 or $exec4)) or (1 of ($hex*) and $exec3))
}
