from __future__ import annotations

from coinguard.report.techniques import TABLE, markdown_table, techniques_for

from helpers import REPO

DOC = (REPO / "docs" / "reporting.md").read_text(encoding="utf-8")


def test_attack_table_in_the_docs_matches_the_code() -> None:
    table = DOC.split("<!-- attack:begin -->", 1)[1].split("<!-- attack:end -->", 1)[0].strip()
    assert table == markdown_table(), "paste coinguard.report.techniques.markdown_table() into docs/reporting.md"


def test_every_mapped_code_exists_in_the_catalogue() -> None:
    from coinguard.catalogue import catalogue

    codes = set(catalogue())
    for key, _techs in TABLE:
        assert any(c == key or c.startswith(key + ".") for c in codes), key


def test_technique_selection() -> None:
    ids = [t.id for t in techniques_for(["ooxml.remote_template", "office.vba.obfuscation"])]
    assert ids == ["T1566.001", "T1221", "T1204.002", "T1059.005", "T1027"]
    assert [t.id for t in techniques_for(["crypto.seed_request"])] == ["T1598"]  # no attachment: no T1566.001
    assert techniques_for(["pdf.parse_error"]) == ()


def test_the_url_seam_is_documented_as_the_code_reads_it() -> None:
    from coinguard.report.indicators import URLS_KEY

    assert f'Item.meta["{URLS_KEY}"]' in DOC and f'ctx.memo["{URLS_KEY}"]' in DOC
