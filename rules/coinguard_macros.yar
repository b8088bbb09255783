/*
 * coinguard: VBA macros that run on open and download or execute something.
 *
 * Two views of the same threat:
 *  - decoded macro source (the office analyzer emits it as a child item, so YARA sees
 *    the VBA text the attacker wrote);
 *  - raw OLE files and vbaProject.bin streams, where the VBA project's identifier table
 *    (_VBA_PROJECT / dir) keeps procedure and API names uncompressed.
 * Only the combination auto-exec + download/execute scores high; single keywords do not
 * fire (plenty of benign macros call Shell or CreateObject).
 */

private rule coinguard_vba_source
{
    meta:
        description = "text that looks like VBA source (Attribute VB_Name or Sub/Function blocks)"
        author = "coinguard"
    strings:
        $attr = "Attribute VB_" ascii nocase
        $sub = /(^|\n)[ \t]{0,16}(Private |Public )?(Sub|Function) [A-Za-z_][A-Za-z0-9_]{0,64}[ \t]{0,4}\(/ nocase
        $end = /\nEnd (Sub|Function)/ nocase
    condition:
        $attr or ($sub and $end)
}

private rule coinguard_vba_project_ole
{
    meta:
        description = "an OLE file or VBA storage carrying a VBA project"
        author = "coinguard"
    strings:
        $vbaproject = "_VBA_PROJECT" wide
        $dir_module = "Attribute VB_Name" ascii
        $thisdoc = "ThisDocument" wide
        $thiswb = "ThisWorkbook" wide
    condition:
        uint32be(0) == 0xD0CF11E0 and ($vbaproject or ($dir_module and 1 of ($this*)))
}

private rule coinguard_vba_autoexec
{
    meta:
        description = "VBA procedure names that Office runs by itself"
        author = "coinguard"
    strings:
        $a1 = /\b(Auto_?Open|Auto_?Close|Auto_?Exec|Auto_?New|Auto_?Exit)\b/ nocase
        $a2 = /\b(Document|Workbook|Presentation)_(Open|Close|New|Activate|BeforeClose|ContentControlOnEnter)\b/ nocase
        $a3 = /\bDocumentOpen\b|\bDocumentBeforeClose\b|\bWorkbook_Activate\b/ nocase
        $a4 = /\bInkPicture[0-9]*_Painted\b|\bFrame[0-9]*_Layout\b|\bMultiPage[0-9]*_Layout\b/ nocase
    condition:
        any of them
}

private rule coinguard_vba_download
{
    meta:
        description = "VBA that fetches something from the network"
        author = "coinguard"
    strings:
        $d1 = "URLDownloadToFile" ascii wide nocase
        $d2 = "XMLHTTP" ascii wide nocase
        $d3 = "WinHttpRequest" ascii wide nocase
        $d4 = "Net.WebClient" ascii wide nocase
        $d5 = "DownloadFile" ascii wide nocase
        $d6 = "DownloadString" ascii wide nocase
        $d7 = "Invoke-WebRequest" ascii wide nocase
        $d8 = "InternetOpenUrl" ascii wide nocase
        $d9 = "Start-BitsTransfer" ascii wide nocase
        $d10 = "bitsadmin" ascii wide nocase
        $d11 = "InternetReadFile" ascii wide nocase
        $d13 = /\.Load[ \t]{0,4}\(?[ \t]{0,4}"https?:\/\// nocase
        $d14 = "Msxml2.DOMDocument" ascii wide nocase
        $stream = "ADODB.Stream" ascii wide nocase
        $save = "SaveToFile" ascii wide nocase
    condition:
        any of ($d*) or ($stream and $save)
}

private rule coinguard_vba_execute
{
    meta:
        description = "VBA that starts another program"
        author = "coinguard"
    strings:
        $e1 = /\bShell[#$%&!]?[ \t]{0,4}\(/ nocase
        $e2 = /\bShell[ \t]{1,4}["A-Za-z]/ nocase
        $e3 = "WScript.Shell" ascii wide nocase
        $e4 = "Shell.Application" ascii wide nocase
        $e5 = "ShellExecute" ascii wide nocase
        $e6 = "Win32_Process" ascii wide nocase
        $e7 = "CreateProcess" ascii wide nocase
        $e8 = "WinExec" ascii wide nocase
        $e9 = "powershell" ascii wide nocase
        $e10 = "mshta" ascii wide nocase
        $e11 = /cmd(\.exe)?["']?[ \t]{0,4}\/[ck] / ascii wide nocase
        $e12 = "rundll32" ascii wide nocase
        $e13 = "regsvr32" ascii wide nocase
        $e14 = "wscript.exe" ascii wide nocase
        $e15 = "cscript.exe" ascii wide nocase
        $e16 = "MacScript" ascii wide nocase
        $e17 = /\.(Run|Exec)[ \t]{0,4}[( ]["A-Za-z]/ nocase
        $e18 = "ExecuteExcel4Macro" ascii wide nocase
        $e19 = "CallByName" ascii wide nocase
    condition:
        any of them
}

rule coinguard_vba_autoexec_download_execute
{
    meta:
        description = "VBA macro that runs on open and downloads and executes"
        score = 15
        author = "coinguard"
        reference = "https://attack.mitre.org/techniques/T1204/002/"
    condition:
        (coinguard_vba_source or coinguard_vba_project_ole)
        and coinguard_vba_autoexec and coinguard_vba_download and coinguard_vba_execute
}

rule coinguard_vba_autoexec_execute
{
    meta:
        description = "VBA macro that runs on open and starts a program or shell"
        score = 10
        author = "coinguard"
        reference = "https://attack.mitre.org/techniques/T1059/005/"
    condition:
        (coinguard_vba_source or coinguard_vba_project_ole)
        and coinguard_vba_autoexec and coinguard_vba_execute and not coinguard_vba_download
}

rule coinguard_vba_autoexec_download
{
    meta:
        description = "VBA macro that runs on open and fetches something from the network"
        score = 10
        author = "coinguard"
        reference = "https://attack.mitre.org/techniques/T1105/"
    condition:
        (coinguard_vba_source or coinguard_vba_project_ole)
        and coinguard_vba_autoexec and coinguard_vba_download and not coinguard_vba_execute
}

rule coinguard_vba_obfuscated_chr_chain
{
    meta:
        description = "VBA building strings from long Chr()/ChrW() chains (command hidden from keyword scans)"
        score = 6
        author = "coinguard"
        reference = "https://attack.mitre.org/techniques/T1027/"
    strings:
        $chain = /Chr[WB]?\$?\([0-9&Hh]{1,6}\)[ \t]{0,2}[&+][ \t]{0,2}Chr[WB]?\$?\([0-9&Hh]{1,6}\)[ \t]{0,2}[&+][ \t]{0,2}Chr[WB]?\$?\([0-9&Hh]{1,6}\)/ nocase
    condition:
        coinguard_vba_source and #chain > 8
}
