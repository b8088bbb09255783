/*
 * coinguard: generic dropper traits in scripts, macro source, shortcuts, HTA and documents.
 * These are command lines, not keywords: each rule needs the launcher together with the
 * argument that makes it a download, decode or remote execution.
 *
 * Performance: every Item of every message is scanned, so regular expressions here are
 * short and bounded, anchored on a distinctive literal; "A and B in the same file" is
 * written as two plain strings in the condition rather than one regex spanning both.
 */

// Memory: "1 of ($url*)" / "any of them" over strings common in ordinary mail (http://, https://) are
// written as "$a or $b": yara (fast mode) then keeps one match of them, not every one (a 20 MB HTML body
// has hundreds of thousands of links; each kept match costs ~64 bytes).

rule coinguard_powershell_download_cradle
{
    meta:
        description = "PowerShell download cradle (WebClient/Invoke-WebRequest/BITS fetch, often piped into IEX)"
        score = 12
        author = "coinguard"
        reference = "https://attack.mitre.org/techniques/T1059/001/"
    strings:
        $webclient = /Net\.WebClient["')]{0,3}[ \t]{0,4}\)?[ \t]{0,4}\.[ \t]{0,4}Download(String|File|Data)/ ascii wide nocase
        $iex_fetch = /\b(iex|Invoke-Expression)[ \t]{0,4}\(?[ \t]{0,4}\(?[ \t]{0,4}(New-Object|iwr|irm|Invoke-WebRequest|Invoke-RestMethod|\[Net\.WebClient\])/ ascii wide nocase
        $pipe_iex = /\|[ \t]{0,4}(iex|Invoke-Expression)\b/ ascii wide nocase
        $fetch1 = "Invoke-WebRequest" ascii wide nocase
        $fetch2 = "Invoke-RestMethod" ascii wide nocase
        $fetch3 = "iwr" fullword ascii wide nocase
        $fetch4 = "irm" fullword ascii wide nocase
        $bits = "Start-BitsTransfer" ascii wide nocase
        $outfile = "-OutFile" ascii wide nocase
        $start1 = "Start-Process" ascii wide nocase
        $start2 = "saps" fullword ascii wide nocase
        $url1 = "http://" ascii wide nocase
        $url2 = "https://" ascii wide nocase
        $ps = "powershell" ascii wide nocase
    condition:
        $webclient or $iex_fetch
        or ($pipe_iex and 1 of ($fetch*) and ($url1 or $url2))
        or ($bits and ($url1 or $url2) and ($ps or $outfile))
        or (1 of ($fetch*) and $outfile and ($url1 or $url2) and 1 of ($start*))
}

rule coinguard_powershell_encoded_command
{
    meta:
        description = "PowerShell started with a long base64 -EncodedCommand"
        score = 10
        author = "coinguard"
        reference = "https://attack.mitre.org/techniques/T1027/010/"
    strings:
        $ps1 = "powershell" ascii wide nocase
        $ps2 = "pwsh" fullword ascii wide nocase
        $enc = / -e(nc|ncodedcommand|c)? {1,4}["']?[A-Za-z0-9+\/]{40}/ ascii wide nocase
    condition:
        1 of ($ps*) and $enc
}

rule coinguard_mshta_remote
{
    meta:
        description = "mshta started on a remote URL or inline script"
        score = 12
        author = "coinguard"
        reference = "https://attack.mitre.org/techniques/T1218/005/"
    strings:
        $url = /mshta(\.exe)?["']?[ \t]{1,8}["']?(https?:\/\/|\\\\)/ ascii wide nocase
        $inline = /mshta(\.exe)?["']?[ \t]{1,8}["']?(javascript|vbscript):/ ascii wide nocase
    condition:
        any of them
}

rule coinguard_certutil_decode_download
{
    meta:
        description = "certutil used to decode or download a payload"
        score = 10
        author = "coinguard"
        reference = "https://attack.mitre.org/techniques/T1140/"
    strings:
        $certutil = "certutil" ascii wide nocase
        $decode1 = " -decode " ascii wide nocase
        $decode2 = " -decodehex " ascii wide nocase
        $decode3 = " /decode " ascii wide nocase
        $urlcache1 = "-urlcache" ascii wide nocase
        $urlcache2 = "/urlcache" ascii wide nocase
        $url1 = "http://" ascii wide nocase
        $url2 = "https://" ascii wide nocase
    condition:
        $certutil and (1 of ($decode*) or (1 of ($urlcache*) and ($url1 or $url2)))
}

rule coinguard_lolbin_remote_execution
{
    meta:
        description = "Windows binary proxy execution from a remote source (regsvr32 scrobj, rundll32 script, bitsadmin transfer)"
        score = 10
        author = "coinguard"
        reference = "https://attack.mitre.org/techniques/T1218/"
    strings:
        $regsvr32 = "regsvr32" ascii wide nocase
        $squiblydoo = /\/i:["']?https?:\/\// ascii wide nocase
        $rundll_js = /rundll32(\.exe)?["']?[ \t]{1,8}["']?javascript:/ ascii wide nocase
        $bitsadmin = "bitsadmin" ascii wide nocase
        $transfer = "/transfer" ascii wide nocase
        $url1 = "http://" ascii wide nocase
        $url2 = "https://" ascii wide nocase
    condition:
        ($regsvr32 and $squiblydoo) or $rundll_js or ($bitsadmin and $transfer and ($url1 or $url2))
}

rule coinguard_script_download_and_run
{
    meta:
        description = "JScript/VBScript/HTA that downloads with XMLHTTP, writes with ADODB.Stream and runs the file"
        score = 15
        author = "coinguard"
        reference = "https://attack.mitre.org/techniques/T1105/"
    strings:
        $http1 = "XMLHTTP" ascii wide nocase
        $http2 = "WinHttpRequest" ascii wide nocase
        $stream = "ADODB.Stream" ascii wide nocase
        $save = "SaveToFile" ascii wide nocase
        $run1 = "WScript.Shell" ascii wide nocase
        $run2 = "Shell.Application" ascii wide nocase
        $run3 = "ShellExecute" ascii wide nocase
        $run4 = "Win32_Process" ascii wide nocase
    condition:
        filesize < 5MB and 1 of ($http*) and $stream and $save and 1 of ($run*)
}
