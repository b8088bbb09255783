"""coinguard: a Postfix milter against malicious, crypto-themed mail attachments."""

__version__ = "0.1.0"
