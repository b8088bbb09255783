"""Imported by the scanner pool's fork server only (``coinguard.pool.PRELOAD``), never by the daemon:
one warm-up scan there, so every worker forked from it starts warm (:func:`coinguard.pool.warm_fork_server`)."""

import sys

from coinguard.pool import warm_fork_server

#: whether the fork server's warm-up scan ran cleanly (its workers then inherit what it built)
WARM = warm_fork_server()
#: the modules the fork server had imported after its warm-up: what every worker inherits
PRELOADED = frozenset(sys.modules)
