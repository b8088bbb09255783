/*
 * coinguard: generic dropper traits in scripts, macro source, shortcuts, HTA and documents.
 * These are command lines, not keywords: each string needs the launcher together with the
 * argument that makes it a download, decode or remote execution.
 */

rule coinguard_powershell_download_cradle
{
    meta:
        description = "PowerShell download cradle (WebClient/Invoke-WebRequest/BITS fetch, often piped into IEX)"
        score = 12
        author = "coinguard"
        reference = "https://attack.mitre.org/techniques/T1059/001/"
    strings:
        $webclient = /Net\.WebClient["')]{0,3}[ \t]*\)?[ \t]*\.[ \t]*Download(String|File|Data)(Async)?[ \t]*\(/ ascii wide nocase
        $iex_fetch = /\b(iex|Invoke-Expression)[ \t]*\(?[ \t]*\(?[ \t]*(New-Object|iwr|irm|Invoke-WebRequest|Invoke-RestMethod|\[Net\.WebClient\])/ ascii wide nocase
        $fetch_iex = /\b(iwr|irm|Invoke-WebRequest|Invoke-RestMethod|curl|wget)\b[^\r\n|]{1,200}https?:\/\/[^\r\n|]{1,200}\|[ \t]*(iex|Invoke-Expression)\b/ ascii wide nocase
        $bits = /Start-BitsTransfer[^\r\n]{1,100}-Source[ \t]+["']?https?:\/\// ascii wide nocase
        $webreq_outfile = /\b(iwr|Invoke-WebRequest)\b[^\r\n]{1,200}https?:\/\/[^\r\n]{1,200}-OutFile[^\r\n]{1,200}(Start-Process|saps|&[ \t]*\$|\.exe|\.dll|\.bat|\.vbs|\.js\b)/ ascii wide nocase
    condition:
        any of them
}

rule coinguard_powershell_encoded_command
{
    meta:
        description = "PowerShell started with a long base64 -EncodedCommand"
        score = 10
        author = "coinguard"
        reference = "https://attack.mitre.org/techniques/T1027/010/"
    strings:
        $enc = /powershell(\.exe)?["']?[ \t]+([-\/][A-Za-z]+[ \t]+([A-Za-z]+[ \t]+)?){0,6}[-\/]e(n|nc|nco|ncod|ncode|ncoded|ncodedc|ncodedcommand|c)?[ \t]+["']?[A-Za-z0-9+\/]{40,}/ ascii wide nocase
    condition:
        $enc
}

rule coinguard_mshta_remote
{
    meta:
        description = "mshta started on a remote URL or inline script"
        score = 12
        author = "coinguard"
        reference = "https://attack.mitre.org/techniques/T1218/005/"
    strings:
        $url = /mshta(\.exe)?["']?[ \t]+["']?(https?:\/\/|\\\\)/ ascii wide nocase
        $inline = /mshta(\.exe)?["']?[ \t]+["']?(javascript|vbscript):/ ascii wide nocase
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
        $decode = /certutil(\.exe)?["']?[ \t]+[^\r\n]{0,60}[-\/](decode|decodehex)[ \t]/ ascii wide nocase
        $urlcache = /certutil(\.exe)?["']?[ \t]+[^\r\n]{0,60}[-\/]urlcache[^\r\n]{0,40}[-\/]f[^\r\n]{0,20}https?:\/\// ascii wide nocase
    condition:
        any of them
}

rule coinguard_lolbin_remote_execution
{
    meta:
        description = "Windows binary proxy execution from a remote source (regsvr32 scrobj, rundll32 script, bitsadmin transfer)"
        score = 10
        author = "coinguard"
        reference = "https://attack.mitre.org/techniques/T1218/"
    strings:
        $squiblydoo = /regsvr32(\.exe)?["']?[ \t]+[^\r\n]{0,60}\/i:["']?https?:\/\// ascii wide nocase
        $rundll_js = /rundll32(\.exe)?["']?[ \t]+["']?javascript:/ ascii wide nocase
        $rundll_url = /rundll32(\.exe)?["']?[ \t]+[^\r\n]{0,20}\\\\[A-Za-z0-9.-]+@?(SSL)?(@[0-9]+)?\\/ ascii wide nocase
        $bitsadmin = /bitsadmin(\.exe)?["']?[ \t]+[^\r\n]{0,40}\/transfer[^\r\n]{0,120}https?:\/\// ascii wide nocase
    condition:
        any of them
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
