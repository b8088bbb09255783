"""A news outlet named after a chain (issue 11, false-positive technique): "Arbitrum News" mailing from
arbitrumnews.example is that outlet's newsletter, not a look-alike of Arbitrum -- as long as it is a mailing
that asks nothing.  The same domain sending a lure, a one-to-one mail, or a label with other words than
editorial ones ("arbitrum-claims") is judged as before."""

from __future__ import annotations

from analyzers.test_phish_variants import LIST, button, mail, scan

NEWS = ("<p>Round 4 of the developer grants is open until 31 January. Teams building wallets and bridges can "
        "apply for up to 50,000 USD.</p>")


def _brand_codes(raw: bytes) -> set[str]:
    return {f.code for f in scan(raw).findings if f.code.startswith("brand.")}


def test_outlet_named_after_a_chain_mailing_is_no_lookalike() -> None:
    raw = mail("Arbitrum News <news@arbitrumnews.example>", "Grants round 4 is open",
               html=NEWS + button("https://arbitrumnews.example/grants", "Apply"), headers=LIST)
    assert _brand_codes(raw) == set()


def test_hyphenated_outlet_with_two_editorial_words() -> None:
    raw = mail("Solana Daily News <hello@solana-daily-news.example>", "This week on Solana",
               html="<p>Validators shipped a new client release this week.</p>"
                    + button("https://solana-daily-news.example/49", "Read"), headers=LIST)
    assert "brand.lookalike_domain" not in _brand_codes(raw)


def test_the_outlet_domain_sending_a_lure_is_still_a_lookalike() -> None:
    raw = mail("Arbitrum News <news@arbitrumnews.example>", "Claim your ARB",
               html="<p>Your wallet is eligible for 1,200 ARB. Connect your wallet and claim within 24 hours.</p>"
                    + button("https://arbitrumnews.example/claim", "Claim"), headers=LIST)
    assert "brand.lookalike_domain" in _brand_codes(raw)


def test_not_a_mailing_or_not_editorial_words_is_judged_as_before() -> None:
    one_to_one = mail("Arbitrum News <news@arbitrumnews.example>", "Grants round 4 is open",
                      html=NEWS + button("https://arbitrumnews.example/grants", "Apply"))
    claims = mail("Arbitrum <news@arbitrum-claims.example>", "Grants round 4 is open",
                  html=NEWS + button("https://arbitrum-claims.example/grants", "Apply"), headers=LIST)
    assert "brand.lookalike_domain" in _brand_codes(one_to_one)
    assert "brand.lookalike_domain" in _brand_codes(claims)
