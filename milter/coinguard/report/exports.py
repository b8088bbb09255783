"""Every export of a case (one message or a campaign) as bytes: the one entry point for the CLI and the console.

``render(case, "stix" | "misp" | "arf" | "bundle" | "indicators" | "summary", settings)``.
stix2 and pymisp are imported only when an export needs them.
"""

from __future__ import annotations

import json

from coinguard.report import summary
from coinguard.report.campaigns import Campaign
from coinguard.report.settings import ReportSettings

FORMATS = ("stix", "misp", "arf", "bundle", "indicators", "summary")


def render(case: Campaign, fmt: str, settings: ReportSettings, *, lang: str = "en", to: str = "",
           include_message: bool | None = None) -> bytes:
    """The export of ``case`` in ``fmt`` as bytes."""
    from coinguard.report import arf, bundle, misp, stix  # stix2 and pymisp load only for exports

    if fmt == "stix":
        return stix.to_json(case, settings).encode("utf-8") + b"\n"
    if fmt == "misp":
        return misp.to_json(case, settings).encode("utf-8") + b"\n"
    if fmt == "arf":
        return arf.build_all(case, settings, to=to, include_message=include_message)
    if fmt == "bundle":
        return bundle.build(case, settings)
    if fmt == "summary":
        return summary.render(case, settings, lang).encode("utf-8")
    if fmt != "indicators":
        raise ValueError(f"unknown report format {fmt!r} (known: {', '.join(FORMATS)})")
    indicators = [{"id": m.id, **m.indicators.to_json()} for m in case.members]
    return (json.dumps(indicators if len(indicators) > 1 else indicators[0], ensure_ascii=False, indent=1)
            + "\n").encode("utf-8")
