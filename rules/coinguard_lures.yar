/*
 * coinguard: cryptocurrency lure wording inside documents (English and Korean).
 *
 * THEME-level evidence with modest scores: a lure alone never quarantines; the policy
 * weighs it together with attachment evidence.  The rules skip the message body
 * (external `role` == "body"), which the crypto-theme analyzer already reads; they fire on
 * attachments and on text extracted from documents (HWP/OLE text is UTF-16LE, hence
 * `wide` and the UTF-16LE hex strings; old Korean files use CP949/EUC-KR).
 *
 * Each Korean word is written three times: as text (UTF-8), and as hex strings of its UTF-16LE
 * and CP949 bytes, named in the comment; docs/rules.md shows the one-liner that makes them.
 */

rule coinguard_lure_crypto_en
{
    meta:
        description = "English cryptocurrency lure wording (wallet/exchange + verification, seed phrase, withdrawal or airdrop)"
        score = 2
        author = "coinguard"
        reference = "https://www.cisa.gov/news-events/cybersecurity-advisories/aa22-108a"
        category = "theme"
    strings:
        $c1 = "cryptocurrency" ascii wide nocase
        $c2 = "crypto wallet" ascii wide nocase
        $c3 = "crypto exchange" ascii wide nocase
        $c4 = "crypto asset" ascii wide nocase
        $c5 = "bitcoin" ascii wide nocase
        $c6 = "ethereum" ascii wide nocase
        $c7 = "USDT" ascii wide nocase fullword
        $c8 = "stablecoin" ascii wide nocase
        $c9 = "metamask" ascii wide nocase
        $c10 = "trust wallet" ascii wide nocase
        $c11 = "ledger live" ascii wide nocase
        $c12 = "trezor" ascii wide nocase
        $c13 = "coinbase" ascii wide nocase
        $c14 = "binance" ascii wide nocase
        $c15 = "upbit" ascii wide nocase fullword
        $c16 = "bithumb" ascii wide nocase
        $c17 = "kraken" ascii wide nocase
        $c18 = "blockchain" ascii wide nocase
        $c19 = "wallet address" ascii wide nocase
        $a1 = "verify your wallet" ascii wide nocase
        $a2 = "wallet verification" ascii wide nocase
        $a3 = "validate your wallet" ascii wide nocase
        $a4 = "wallet validation" ascii wide nocase
        $a5 = "synchronize your wallet" ascii wide nocase
        $a6 = "sync your wallet" ascii wide nocase
        $a7 = "connect your wallet" ascii wide nocase
        $a8 = "seed phrase" ascii wide nocase
        $a9 = "recovery phrase" ascii wide nocase
        $a10 = "secret phrase" ascii wide nocase
        $a11 = "mnemonic phrase" ascii wide nocase
        $a12 = "private key" ascii wide nocase
        $a13 = "airdrop" ascii wide nocase
        $a14 = "claim your reward" ascii wide nocase
        $a15 = "claim your token" ascii wide nocase
        $a16 = "claim your airdrop" ascii wide nocase
        $a17 = "KYC verification" ascii wide nocase
        $a18 = "complete KYC" ascii wide nocase
        $a19 = "KYC update" ascii wide nocase
        $a20 = "withdrawal suspended" ascii wide nocase
        $a21 = "withdrawals suspended" ascii wide nocase
        $a22 = "withdrawal has been suspended" ascii wide nocase
        $a23 = "withdrawals have been suspended" ascii wide nocase
        $a24 = "withdrawal is suspended" ascii wide nocase
        $a25 = "withdrawal has been blocked" ascii wide nocase
        $a26 = "withdrawal has been frozen" ascii wide nocase
        $a27 = "withdrawal limit" ascii wide nocase
        $a28 = "pending withdrawal" ascii wide nocase
        $a29 = "unauthorized withdrawal" ascii wide nocase
        $a30 = "account will be suspended" ascii wide nocase
        $a31 = "account has been suspended" ascii wide nocase
        $a32 = "account has been locked" ascii wide nocase
        $a33 = "account has been frozen" ascii wide nocase
        $a34 = "account has been restricted" ascii wide nocase
        $a35 = "security verification" ascii wide nocase
        $a36 = "unusual activity" ascii wide nocase
        $a37 = "confirm your identity" ascii wide nocase
    condition:
        not (role == "body") and filesize < 20MB and 1 of ($c*) and 2 of ($a*)
}

rule coinguard_lure_crypto_ko
{
    meta:
        description = "Korean cryptocurrency lure wording (지갑/거래소/코인 + 출금/입금/보안 인증/개인키/복구 구문)"
        score = 2
        author = "coinguard"
        reference = "https://www.boho.or.kr/kr/bbs/view.do?bbsId=B0000133&nttId=71029&menuNo=205020"
        category = "theme"
    strings:
        $c1_u8 = "코인"  // 코인 (UTF-8)
        $c1_u16 = { 54 CF 78 C7 }  // 코인 (UTF-16LE)
        $c1_cp949 = { C4 DA C0 CE }  // 코인 (CP949/EUC-KR)
        $c2_u8 = "가상자산"  // 가상자산 (UTF-8)
        $c2_u16 = { 00 AC C1 C0 90 C7 B0 C0 }  // 가상자산 (UTF-16LE)
        $c2_cp949 = { B0 A1 BB F3 C0 DA BB EA }  // 가상자산 (CP949/EUC-KR)
        $c3_u8 = "가상화폐"  // 가상화폐 (UTF-8)
        $c3_u16 = { 00 AC C1 C0 54 D6 D0 D3 }  // 가상화폐 (UTF-16LE)
        $c3_cp949 = { B0 A1 BB F3 C8 AD C6 F3 }  // 가상화폐 (CP949/EUC-KR)
        $c4_u8 = "암호화폐"  // 암호화폐 (UTF-8)
        $c4_u16 = { 54 C5 38 D6 54 D6 D0 D3 }  // 암호화폐 (UTF-16LE)
        $c4_cp949 = { BE CF C8 A3 C8 AD C6 F3 }  // 암호화폐 (CP949/EUC-KR)
        $c5_u8 = "비트코인"  // 비트코인 (UTF-8)
        $c5_u16 = { 44 BE B8 D2 54 CF 78 C7 }  // 비트코인 (UTF-16LE)
        $c5_cp949 = { BA F1 C6 AE C4 DA C0 CE }  // 비트코인 (CP949/EUC-KR)
        $c6_u8 = "이더리움"  // 이더리움 (UTF-8)
        $c6_u16 = { 74 C7 54 B3 AC B9 C0 C6 }  // 이더리움 (UTF-16LE)
        $c6_cp949 = { C0 CC B4 F5 B8 AE BF F2 }  // 이더리움 (CP949/EUC-KR)
        $c7_u8 = "테더"  // 테더 (UTF-8)
        $c7_u16 = { 4C D1 54 B3 }  // 테더 (UTF-16LE)
        $c7_cp949 = { C5 D7 B4 F5 }  // 테더 (CP949/EUC-KR)
        $c8_u8 = "거래소"  // 거래소 (UTF-8)
        $c8_u16 = { 70 AC 98 B7 8C C1 }  // 거래소 (UTF-16LE)
        $c8_cp949 = { B0 C5 B7 A1 BC D2 }  // 거래소 (CP949/EUC-KR)
        $c9_u8 = "지갑"  // 지갑 (UTF-8)
        $c9_u16 = { C0 C9 11 AC }  // 지갑 (UTF-16LE)
        $c9_cp949 = { C1 F6 B0 A9 }  // 지갑 (CP949/EUC-KR)
        $c10_u8 = "업비트"  // 업비트 (UTF-8)
        $c10_u16 = { C5 C5 44 BE B8 D2 }  // 업비트 (UTF-16LE)
        $c10_cp949 = { BE F7 BA F1 C6 AE }  // 업비트 (CP949/EUC-KR)
        $c11_u8 = "빗썸"  // 빗썸 (UTF-8)
        $c11_u16 = { 57 BE 78 C3 }  // 빗썸 (UTF-16LE)
        $c11_cp949 = { BA F8 BD E6 }  // 빗썸 (CP949/EUC-KR)
        $c12_u8 = "코인원"  // 코인원 (UTF-8)
        $c12_u16 = { 54 CF 78 C7 D0 C6 }  // 코인원 (UTF-16LE)
        $c12_cp949 = { C4 DA C0 CE BF F8 }  // 코인원 (CP949/EUC-KR)
        $c13_u8 = "코빗"  // 코빗 (UTF-8)
        $c13_u16 = { 54 CF 57 BE }  // 코빗 (UTF-16LE)
        $c13_cp949 = { C4 DA BA F8 }  // 코빗 (CP949/EUC-KR)
        $c14_u8 = "바이낸스"  // 바이낸스 (UTF-8)
        $c14_u16 = { 14 BC 74 C7 B8 B0 A4 C2 }  // 바이낸스 (UTF-16LE)
        $c14_cp949 = { B9 D9 C0 CC B3 BD BD BA }  // 바이낸스 (CP949/EUC-KR)
        $c15_u8 = "메타마스크"  // 메타마스크 (UTF-8)
        $c15_u16 = { 54 BA C0 D0 C8 B9 A4 C2 6C D0 }  // 메타마스크 (UTF-16LE)
        $c15_cp949 = { B8 DE C5 B8 B8 B6 BD BA C5 A9 }  // 메타마스크 (CP949/EUC-KR)
        $c16_u8 = "블록체인"  // 블록체인 (UTF-8)
        $c16_u16 = { 14 BE 5D B8 B4 CC 78 C7 }  // 블록체인 (UTF-16LE)
        $c16_cp949 = { BA ED B7 CF C3 BC C0 CE }  // 블록체인 (CP949/EUC-KR)
        $c17_u8 = "에어드랍"  // 에어드랍 (UTF-8)
        $c17_u16 = { D0 C5 B4 C5 DC B4 8D B7 }  // 에어드랍 (UTF-16LE)
        $c17_cp949 = { BF A1 BE EE B5 E5 B6 F8 }  // 에어드랍 (CP949/EUC-KR)
        $c18_u8 = "에어드롭"  // 에어드롭 (UTF-8)
        $c18_u16 = { D0 C5 B4 C5 DC B4 6D B8 }  // 에어드롭 (UTF-16LE)
        $c18_cp949 = { BF A1 BE EE B5 E5 B7 D3 }  // 에어드롭 (CP949/EUC-KR)
        $c19_u8 = "디파이"  // 디파이 (UTF-8)
        $c19_u16 = { 14 B5 0C D3 74 C7 }  // 디파이 (UTF-16LE)
        $c19_cp949 = { B5 F0 C6 C4 C0 CC }  // 디파이 (CP949/EUC-KR)
        $a1_u8 = "출금"  // 출금 (UTF-8)
        $a1_u16 = { 9C CD 08 AE }  // 출금 (UTF-16LE)
        $a1_cp949 = { C3 E2 B1 DD }  // 출금 (CP949/EUC-KR)
        $a2_u8 = "입금"  // 입금 (UTF-8)
        $a2_u16 = { 85 C7 08 AE }  // 입금 (UTF-16LE)
        $a2_cp949 = { C0 D4 B1 DD }  // 입금 (CP949/EUC-KR)
        $a3_u8 = "보안 인증"  // 보안 인증 (UTF-8)
        $a3_u16 = { F4 BC 48 C5 20 00 78 C7 9D C9 }  // 보안 인증 (UTF-16LE)
        $a3_cp949 = { BA B8 BE C8 20 C0 CE C1 F5 }  // 보안 인증 (CP949/EUC-KR)
        $a4_u8 = "보안인증"  // 보안인증 (UTF-8)
        $a4_u16 = { F4 BC 48 C5 78 C7 9D C9 }  // 보안인증 (UTF-16LE)
        $a4_cp949 = { BA B8 BE C8 C0 CE C1 F5 }  // 보안인증 (CP949/EUC-KR)
        $a5_u8 = "본인 인증"  // 본인 인증 (UTF-8)
        $a5_u16 = { F8 BC 78 C7 20 00 78 C7 9D C9 }  // 본인 인증 (UTF-16LE)
        $a5_cp949 = { BA BB C0 CE 20 C0 CE C1 F5 }  // 본인 인증 (CP949/EUC-KR)
        $a6_u8 = "본인인증"  // 본인인증 (UTF-8)
        $a6_u16 = { F8 BC 78 C7 78 C7 9D C9 }  // 본인인증 (UTF-16LE)
        $a6_cp949 = { BA BB C0 CE C0 CE C1 F5 }  // 본인인증 (CP949/EUC-KR)
        $a7_u8 = "개인키"  // 개인키 (UTF-8)
        $a7_u16 = { 1C AC 78 C7 A4 D0 }  // 개인키 (UTF-16LE)
        $a7_cp949 = { B0 B3 C0 CE C5 B0 }  // 개인키 (CP949/EUC-KR)
        $a8_u8 = "개인 키"  // 개인 키 (UTF-8)
        $a8_u16 = { 1C AC 78 C7 20 00 A4 D0 }  // 개인 키 (UTF-16LE)
        $a8_cp949 = { B0 B3 C0 CE 20 C5 B0 }  // 개인 키 (CP949/EUC-KR)
        $a9_u8 = "복구 구문"  // 복구 구문 (UTF-8)
        $a9_u16 = { F5 BC 6C AD 20 00 6C AD 38 BB }  // 복구 구문 (UTF-16LE)
        $a9_cp949 = { BA B9 B1 B8 20 B1 B8 B9 AE }  // 복구 구문 (CP949/EUC-KR)
        $a10_u8 = "복구구문"  // 복구구문 (UTF-8)
        $a10_u16 = { F5 BC 6C AD 6C AD 38 BB }  // 복구구문 (UTF-16LE)
        $a10_cp949 = { BA B9 B1 B8 B1 B8 B9 AE }  // 복구구문 (CP949/EUC-KR)
        $a11_u8 = "시드 문구"  // 시드 문구 (UTF-8)
        $a11_u16 = { DC C2 DC B4 20 00 38 BB 6C AD }  // 시드 문구 (UTF-16LE)
        $a11_cp949 = { BD C3 B5 E5 20 B9 AE B1 B8 }  // 시드 문구 (CP949/EUC-KR)
        $a12_u8 = "시드문구"  // 시드문구 (UTF-8)
        $a12_u16 = { DC C2 DC B4 38 BB 6C AD }  // 시드문구 (UTF-16LE)
        $a12_cp949 = { BD C3 B5 E5 B9 AE B1 B8 }  // 시드문구 (CP949/EUC-KR)
        $a13_u8 = "니모닉"  // 니모닉 (UTF-8)
        $a13_u16 = { C8 B2 A8 BA C9 B2 }  // 니모닉 (UTF-16LE)
        $a13_cp949 = { B4 CF B8 F0 B4 D0 }  // 니모닉 (CP949/EUC-KR)
        $a14_u8 = "지갑 인증"  // 지갑 인증 (UTF-8)
        $a14_u16 = { C0 C9 11 AC 20 00 78 C7 9D C9 }  // 지갑 인증 (UTF-16LE)
        $a14_cp949 = { C1 F6 B0 A9 20 C0 CE C1 F5 }  // 지갑 인증 (CP949/EUC-KR)
        $a15_u8 = "지갑 검증"  // 지갑 검증 (UTF-8)
        $a15_u16 = { C0 C9 11 AC 20 00 80 AC 9D C9 }  // 지갑 검증 (UTF-16LE)
        $a15_cp949 = { C1 F6 B0 A9 20 B0 CB C1 F5 }  // 지갑 검증 (CP949/EUC-KR)
        $a16_u8 = "계정 정지"  // 계정 정지 (UTF-8)
        $a16_u16 = { C4 AC 15 C8 20 00 15 C8 C0 C9 }  // 계정 정지 (UTF-16LE)
        $a16_cp949 = { B0 E8 C1 A4 20 C1 A4 C1 F6 }  // 계정 정지 (CP949/EUC-KR)
        $a17_u8 = "계정이 정지"  // 계정이 정지 (UTF-8)
        $a17_u16 = { C4 AC 15 C8 74 C7 20 00 15 C8 C0 C9 }  // 계정이 정지 (UTF-16LE)
        $a17_cp949 = { B0 E8 C1 A4 C0 CC 20 C1 A4 C1 F6 }  // 계정이 정지 (CP949/EUC-KR)
        $a18_u8 = "이용 제한"  // 이용 제한 (UTF-8)
        $a18_u16 = { 74 C7 A9 C6 20 00 1C C8 5C D5 }  // 이용 제한 (UTF-16LE)
        $a18_cp949 = { C0 CC BF EB 20 C1 A6 C7 D1 }  // 이용 제한 (CP949/EUC-KR)
        $a19_u8 = "이용이 제한"  // 이용이 제한 (UTF-8)
        $a19_u16 = { 74 C7 A9 C6 74 C7 20 00 1C C8 5C D5 }  // 이용이 제한 (UTF-16LE)
        $a19_cp949 = { C0 CC BF EB C0 CC 20 C1 A6 C7 D1 }  // 이용이 제한 (CP949/EUC-KR)
        $a20_u8 = "출금 제한"  // 출금 제한 (UTF-8)
        $a20_u16 = { 9C CD 08 AE 20 00 1C C8 5C D5 }  // 출금 제한 (UTF-16LE)
        $a20_cp949 = { C3 E2 B1 DD 20 C1 A6 C7 D1 }  // 출금 제한 (CP949/EUC-KR)
        $a21_u8 = "출금이 제한"  // 출금이 제한 (UTF-8)
        $a21_u16 = { 9C CD 08 AE 74 C7 20 00 1C C8 5C D5 }  // 출금이 제한 (UTF-16LE)
        $a21_cp949 = { C3 E2 B1 DD C0 CC 20 C1 A6 C7 D1 }  // 출금이 제한 (CP949/EUC-KR)
        $a22_u8 = "출금 정지"  // 출금 정지 (UTF-8)
        $a22_u16 = { 9C CD 08 AE 20 00 15 C8 C0 C9 }  // 출금 정지 (UTF-16LE)
        $a22_cp949 = { C3 E2 B1 DD 20 C1 A4 C1 F6 }  // 출금 정지 (CP949/EUC-KR)
        $a23_u8 = "출금이 정지"  // 출금이 정지 (UTF-8)
        $a23_u16 = { 9C CD 08 AE 74 C7 20 00 15 C8 C0 C9 }  // 출금이 정지 (UTF-16LE)
        $a23_cp949 = { C3 E2 B1 DD C0 CC 20 C1 A4 C1 F6 }  // 출금이 정지 (CP949/EUC-KR)
        $a24_u8 = "에어드랍 신청"  // 에어드랍 신청 (UTF-8)
        $a24_u16 = { D0 C5 B4 C5 DC B4 8D B7 20 00 E0 C2 AD CC }  // 에어드랍 신청 (UTF-16LE)
        $a24_cp949 = { BF A1 BE EE B5 E5 B6 F8 20 BD C5 C3 BB }  // 에어드랍 신청 (CP949/EUC-KR)
        $a25_u8 = "보상 신청"  // 보상 신청 (UTF-8)
        $a25_u16 = { F4 BC C1 C0 20 00 E0 C2 AD CC }  // 보상 신청 (UTF-16LE)
        $a25_cp949 = { BA B8 BB F3 20 BD C5 C3 BB }  // 보상 신청 (CP949/EUC-KR)
        $a26_u8 = "인증 절차"  // 인증 절차 (UTF-8)
        $a26_u16 = { 78 C7 9D C9 20 00 08 C8 28 CC }  // 인증 절차 (UTF-16LE)
        $a26_cp949 = { C0 CE C1 F5 20 C0 FD C2 F7 }  // 인증 절차 (CP949/EUC-KR)
        $a27 = "KYC" ascii wide nocase  // KYC
    condition:
        not (role == "body") and filesize < 20MB and 1 of ($c*) and 1 of ($a*) and (2 of ($c*) or 2 of ($a*))
}

rule coinguard_harvest_seed_phrase
{
    meta:
        description = "text asking the reader to enter a wallet recovery (seed) phrase or private key"
        score = 4
        author = "coinguard"
        reference = "https://www.ic3.gov/PSA/2024/PSA241003"
        category = "theme"
    strings:
        $n1 = "12-word" ascii wide nocase
        $n2 = "12 word" ascii wide nocase
        $n3 = "24-word" ascii wide nocase
        $n4 = "24 word" ascii wide nocase
        $n5 = "18-word" ascii wide nocase
        $n6 = "18 word" ascii wide nocase
        $n7 = "twelve-word" ascii wide nocase
        $n8 = "twelve word" ascii wide nocase
        $n9 = "twenty-four word" ascii wide nocase
        $n10 = "twenty four word" ascii wide nocase
        $n11 = "24 words" ascii wide nocase
        $n12 = "12 words" ascii wide nocase
        $p1 = "seed phrase" ascii wide nocase
        $p2 = "recovery phrase" ascii wide nocase
        $p3 = "secret phrase" ascii wide nocase
        $p4 = "mnemonic phrase" ascii wide nocase
        $p5 = "backup phrase" ascii wide nocase
        $p6 = "secret recovery" ascii wide nocase
        $p7 = "wallet phrase" ascii wide nocase
        $v1 = "enter your" ascii wide nocase
        $v2 = "type your" ascii wide nocase
        $v3 = "paste your" ascii wide nocase
        $v4 = "input your" ascii wide nocase
        $v5 = "provide your" ascii wide nocase
        $v6 = "submit your" ascii wide nocase
        $v7 = "import your" ascii wide nocase
        $v8 = "fill in your" ascii wide nocase
        $v9 = "restore your wallet" ascii wide nocase
        $v10 = "import wallet" ascii wide nocase
        $v11 = "import your wallet" ascii wide nocase
        $v12 = "validate your wallet" ascii wide nocase
        $v13 = "synchronize your wallet" ascii wide nocase
        $v14 = "sync your wallet" ascii wide nocase
        $v15 = "verify your wallet" ascii wide nocase
        $v16 = "connect wallet" ascii wide nocase
        $v17 = "rectify" ascii wide nocase
        $v18 = "validate wallet" ascii wide nocase
        $pk = "private key" ascii wide nocase
        $imp = "import wallet" ascii wide nocase
        $k1_u8 = "12개 단어"  // 12개 단어 (UTF-8)
        $k1_u16 = { 31 00 32 00 1C AC 20 00 E8 B2 B4 C5 }  // 12개 단어 (UTF-16LE)
        $k1_cp949 = { 31 32 B0 B3 20 B4 DC BE EE }  // 12개 단어 (CP949/EUC-KR)
        $k2_u8 = "24개 단어"  // 24개 단어 (UTF-8)
        $k2_u16 = { 32 00 34 00 1C AC 20 00 E8 B2 B4 C5 }  // 24개 단어 (UTF-16LE)
        $k2_cp949 = { 32 34 B0 B3 20 B4 DC BE EE }  // 24개 단어 (CP949/EUC-KR)
        $k3_u8 = "12개의 단어"  // 12개의 단어 (UTF-8)
        $k3_u16 = { 31 00 32 00 1C AC 58 C7 20 00 E8 B2 B4 C5 }  // 12개의 단어 (UTF-16LE)
        $k3_cp949 = { 31 32 B0 B3 C0 C7 20 B4 DC BE EE }  // 12개의 단어 (CP949/EUC-KR)
        $k4_u8 = "24개의 단어"  // 24개의 단어 (UTF-8)
        $k4_u16 = { 32 00 34 00 1C AC 58 C7 20 00 E8 B2 B4 C5 }  // 24개의 단어 (UTF-16LE)
        $k4_cp949 = { 32 34 B0 B3 C0 C7 20 B4 DC BE EE }  // 24개의 단어 (CP949/EUC-KR)
        $k5_u8 = "복구 구문을 입력"  // 복구 구문을 입력 (UTF-8)
        $k5_u16 = { F5 BC 6C AD 20 00 6C AD 38 BB 44 C7 20 00 85 C7 25 B8 }  // 복구 구문을 입력 (UTF-16LE)
        $k5_cp949 = { BA B9 B1 B8 20 B1 B8 B9 AE C0 BB 20 C0 D4 B7 C2 }  // 복구 구문을 입력 (CP949/EUC-KR)
        $k6_u8 = "복구구문을 입력"  // 복구구문을 입력 (UTF-8)
        $k6_u16 = { F5 BC 6C AD 6C AD 38 BB 44 C7 20 00 85 C7 25 B8 }  // 복구구문을 입력 (UTF-16LE)
        $k6_cp949 = { BA B9 B1 B8 B1 B8 B9 AE C0 BB 20 C0 D4 B7 C2 }  // 복구구문을 입력 (CP949/EUC-KR)
        $k7_u8 = "시드 문구를 입력"  // 시드 문구를 입력 (UTF-8)
        $k7_u16 = { DC C2 DC B4 20 00 38 BB 6C AD 7C B9 20 00 85 C7 25 B8 }  // 시드 문구를 입력 (UTF-16LE)
        $k7_cp949 = { BD C3 B5 E5 20 B9 AE B1 B8 B8 A6 20 C0 D4 B7 C2 }  // 시드 문구를 입력 (CP949/EUC-KR)
        $k8_u8 = "시드문구를 입력"  // 시드문구를 입력 (UTF-8)
        $k8_u16 = { DC C2 DC B4 38 BB 6C AD 7C B9 20 00 85 C7 25 B8 }  // 시드문구를 입력 (UTF-16LE)
        $k8_cp949 = { BD C3 B5 E5 B9 AE B1 B8 B8 A6 20 C0 D4 B7 C2 }  // 시드문구를 입력 (CP949/EUC-KR)
        $k9_u8 = "개인키를 입력"  // 개인키를 입력 (UTF-8)
        $k9_u16 = { 1C AC 78 C7 A4 D0 7C B9 20 00 85 C7 25 B8 }  // 개인키를 입력 (UTF-16LE)
        $k9_cp949 = { B0 B3 C0 CE C5 B0 B8 A6 20 C0 D4 B7 C2 }  // 개인키를 입력 (CP949/EUC-KR)
        $k10_u8 = "개인 키를 입력"  // 개인 키를 입력 (UTF-8)
        $k10_u16 = { 1C AC 78 C7 20 00 A4 D0 7C B9 20 00 85 C7 25 B8 }  // 개인 키를 입력 (UTF-16LE)
        $k10_cp949 = { B0 B3 C0 CE 20 C5 B0 B8 A6 20 C0 D4 B7 C2 }  // 개인 키를 입력 (CP949/EUC-KR)
        $k11_u8 = "니모닉을 입력"  // 니모닉을 입력 (UTF-8)
        $k11_u16 = { C8 B2 A8 BA C9 B2 44 C7 20 00 85 C7 25 B8 }  // 니모닉을 입력 (UTF-16LE)
        $k11_cp949 = { B4 CF B8 F0 B4 D0 C0 BB 20 C0 D4 B7 C2 }  // 니모닉을 입력 (CP949/EUC-KR)
        $k12_u8 = "니모닉 입력"  // 니모닉 입력 (UTF-8)
        $k12_u16 = { C8 B2 A8 BA C9 B2 20 00 85 C7 25 B8 }  // 니모닉 입력 (UTF-16LE)
        $k12_cp949 = { B4 CF B8 F0 B4 D0 20 C0 D4 B7 C2 }  // 니모닉 입력 (CP949/EUC-KR)
        $k13_u8 = "지갑 복구"  // 지갑 복구 (UTF-8)
        $k13_u16 = { C0 C9 11 AC 20 00 F5 BC 6C AD }  // 지갑 복구 (UTF-16LE)
        $k13_cp949 = { C1 F6 B0 A9 20 BA B9 B1 B8 }  // 지갑 복구 (CP949/EUC-KR)
        $k14_u8 = "지갑 가져오기"  // 지갑 가져오기 (UTF-8)
        $k14_u16 = { C0 C9 11 AC 20 00 00 AC 38 C8 24 C6 30 AE }  // 지갑 가져오기 (UTF-16LE)
        $k14_cp949 = { C1 F6 B0 A9 20 B0 A1 C1 AE BF C0 B1 E2 }  // 지갑 가져오기 (CP949/EUC-KR)
    condition:
        not (role == "body") and filesize < 20MB and ((1 of ($n*) and (1 of ($p*) or 1 of ($v*))) or (1 of ($p*) and 1 of ($v*)) or ($imp and $pk) or 1 of ($k*))
}
