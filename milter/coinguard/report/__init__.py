"""Reporting: indicators, campaigns and exports (STIX 2.1, MISP, ARF, incident bundle) from the quarantine.

- :mod:`.indicators`: ``at_scan`` (in the scan worker, stored in ``Verdict.indicators``) and
  ``extract(raw, verdict) -> Indicators`` (from a stored message), pure;
- :mod:`.records`: quarantined messages (bytes, verdict, indicators) through the store API;
- :mod:`.campaigns`: union-find over shared indicators, stable campaign ids;
- :mod:`.stix`, :mod:`.misp`, :mod:`.arf`, :mod:`.bundle`, :mod:`.summary`: the exports;
- :mod:`.techniques`: finding codes -> ATT&CK; :mod:`.push`: optional MISP/CERT push;
- :mod:`.importer`: ``coinguard quarantine import``; :mod:`.cli`: the commands.

docs/reporting.md is the admin's guide.
"""
