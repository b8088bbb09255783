"""Domain names (coinguard.domains): registrable domain, organisational alignment, edit distance."""

from __future__ import annotations

from coinguard.domains import edit_distance, registrable, same_organization


def test_psl_registrable_and_alignment() -> None:
    assert registrable("a.b.example.co.uk") == "example.co.uk"
    assert registrable("mail.upbit.co.kr") == "upbit.co.kr"
    assert registrable("com") == ""
    assert same_organization("e.coinbase.com", "coinbase.com")
    assert not same_organization("coinbase.com", "coinbase.com.evil.io")


def test_edit_distance_transposition() -> None:
    assert edit_distance("metamask", "metamsak") == 1
    assert edit_distance("abc", "abc") == 0
    assert edit_distance("kitten", "sitting", limit=5) == 3


def test_skeleton_folds_cyrillic_lookalikes_of_a_domain_label() -> None:
    from coinguard.domains import skeleton

    assert skeleton("кraken") == skeleton("kraken")
    assert skeleton("bybiт") == skeleton("bybit")
    assert skeleton("okх") == skeleton("okx")
    assert skeleton("кракен") != skeleton("kraken")  # a Russian label is not the Latin brand
