"""The app, for gunicorn and the ``flask`` command.

An operator command that shows no page (``flask pb count``, ``flask pb mix``) makes the app
without its web pages: importing them was a fifth of a count's start-up (README "Performance").
"""

import sys
from pathlib import Path

from pb import create_app

PAGELESS_COMMANDS = ("count", "mix")


def pages_needed(argv: list[str]) -> bool:
    """False only for ``flask ... pb count|mix ...`` (the ``flask`` script or ``python -m flask``)."""
    program = Path(argv[0]) if argv else Path()
    if not (program.name == "flask" or program.parent.name == "flask") or "pb" not in argv[1:]:
        return True
    after = argv[argv.index("pb", 1) + 1:]
    return not (after and after[0] in PAGELESS_COMMANDS)


app = create_app(pages=pages_needed(sys.argv))
