"""The quarantine web console (``coinguard console``): admins and, through signed links, recipients.

``app``      the Starlette application (routes, pages, security headers)
``auth``     admin accounts (argon2id), sessions, login rate limit, HMAC-signed links and CSRF tokens
``records``  body text, finding descriptions, audit trail, allowlist file, search (on the store's public API)
``settings`` the ``[console]`` and ``[digest]`` sections
``cli``      ``coinguard console ...`` and ``coinguard digest``
"""
