"""Every catalogue is complete: no untranslated or fuzzy entry, every string the
source code marks is in it, and placeholders survive translation."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = {code: ROOT / "translations" / code / "LC_MESSAGES" / "messages.po"
              for code in ["pt", "so", "es", "yo", "ak", "fr", "pl"]}
PLACEHOLDER = re.compile(r"%\(([a-z_]+)\)[sd]")


@pytest.fixture(scope="module")
def source_ids(tmp_path_factory):
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    str(ROOT / "babel.cfg"), "-k", "_l", "-k", "N_", "-k", "lazy_gettext",
                    "-o", str(pot), str(ROOT)], check=True, cwd=ROOT, capture_output=True)
    with open(pot, encoding="utf-8") as fh:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}


@pytest.mark.parametrize("code", CATALOGUES)
def test_catalogue_is_complete(code, source_ids):
    with open(CATALOGUES[code], encoding="utf-8") as fh:
        catalogue = read_po(fh)
    assert not catalogue.fuzzy, f"{code}: the header is marked fuzzy"
    translated = {}
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        translated[ids[0]] = strings
        if message.fuzzy:
            problems.append(f"fuzzy: {ids[0]!r}")
        if not all(strings) or len(strings) < (catalogue.num_plurals if len(ids) > 1 else 1):
            problems.append(f"untranslated: {ids[0]!r}")
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            found = set(PLACEHOLDER.findall(string))
            if found - wanted or (len(ids) == 1 and found != wanted):
                problems.append(f"placeholders differ: {ids[0]!r} -> {string!r}")
    missing = source_ids - set(translated)
    problems += [f"missing from catalogue: {m!r}" for m in sorted(missing)]
    assert not problems, f"{code}: {len(problems)} problems\n" + "\n".join(problems[:40])
