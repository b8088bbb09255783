/*
 * coinguard: the EICAR anti-virus test file.
 * Every rule of ours carries meta description, score (coinguard scale, see docs/rules.md),
 * author and reference.
 */

rule coinguard_eicar_test_file
{
    meta:
        description = "EICAR anti-virus test string"
        score = 20
        author = "coinguard"
        reference = "https://www.eicar.org/download-anti-malware-testfile/"

    strings:
        $eicar = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"

    condition:
        $eicar
}
