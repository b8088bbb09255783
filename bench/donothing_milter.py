"""The do-nothing pymilter baseline for bench/bench_gateway.py: takes the whole message, accepts it.

    /work/main/.venv/bin/python bench/donothing_milter.py inet:PORT@127.0.0.1

Every stage is subscribed, data() included (without it Postfix's lone DATA-macro packet
meets a delayed ACK: ~40 ms per message over TCP), so Postfix ships headers and body to
Python as it does to coinguard; nothing is parsed, nothing added.
"""

import sys
from typing import Any

import Milter


class DoNothing(Milter.Base):  # type: ignore[misc]
    def connect(self, hostname: Any, family: Any, hostaddr: Any) -> int:
        return Milter.CONTINUE

    def hello(self, heloname: Any) -> int:
        return Milter.CONTINUE

    def envfrom(self, mailfrom: Any, *params: Any) -> int:
        return Milter.CONTINUE

    def envrcpt(self, to: Any, *params: Any) -> int:
        return Milter.CONTINUE

    def data(self) -> int:
        return Milter.CONTINUE

    def header(self, name: Any, value: Any) -> int:
        return Milter.CONTINUE

    def eoh(self) -> int:
        return Milter.CONTINUE

    def body(self, chunk: Any) -> int:
        return Milter.CONTINUE

    def eom(self) -> int:
        return Milter.ACCEPT


if __name__ == "__main__":
    Milter.factory = DoNothing
    Milter.runmilter("donothing", sys.argv[1], timeout=600)
