"""``python -m pb.tally FILE.pb --rule {greedy,mes,mes-add1} [--json]``: count a Pabulib file."""

from .cli import main

raise SystemExit(main())
