"""The fault runs' results table (Markdown, for the README) from pytest's JUnit XML files:
python benchmarks/faults/summary.py sqlite.xml postgresql.xml"""

import os
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

# test name (without parameters) -> the scenario it proves, in the README's order
SCENARIOS = {
    "test_a_worker_killed_inside_a_cast_keeps_nothing_and_gunicorn_recovers":
        "gunicorn worker SIGKILLed inside a cast (held at a lock)",
    "test_workers_killed_at_random_while_residents_vote_lose_and_double_nothing":
        "workers SIGKILLed at random while 10 residents vote",
    "test_a_postgresql_restart_gives_the_503_page_then_recovers_by_itself":
        "PostgreSQL stopped and started mid-load",
    "test_a_connection_the_database_drops_after_the_page_is_made_costs_the_page_nothing":
        "connection dropped after the page was made",
    "test_the_mixer_killed_mid_transaction_loses_and_doubles_nothing":
        "`flask pb mix` SIGKILLed mid-transaction, then rerun",
    "test_a_full_disk_gives_the_503_page_writes_nothing_and_recovers":
        "disk full (SQLite): cast and proposal, then space freed",
    "test_a_notify_500_is_retried_and_the_resident_gets_one_code": "Notify 500, 502, then 201",
    "test_notify_down_tells_the_resident_and_charges_nothing": "Notify 503 on every try",
    "test_a_notify_answer_lost_after_it_took_the_message_is_not_sent_twice":
        "Notify takes the text, answers after the read timeout",
    "test_other_answers_that_may_hide_a_sent_text_are_not_resent": "Notify drops the connection / 504",
    "test_notify_unreachable_is_retried_then_the_resident_is_told": "Notify unreachable (connection refused)",
    "test_notify_refusing_the_number_is_not_retried": "Notify 400",
    "test_staff_emails_are_retried_like_texts_and_never_sent_twice": "staff email: 503, 500, slow, down",
}


def results(path: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    if not Path(path).exists():
        return found
    for case in ET.parse(path).getroot().iter("testcase"):
        name = case.get("name", "").split("[")[0]
        seconds = float(case.get("time", 0))
        if case.find("failure") is not None or case.find("error") is not None:
            verdict = f"FAILED ({seconds:.1f} s)"
        elif (skipped := case.find("skipped")) is not None:
            verdict = "skipped: " + (skipped.get("message") or "").split(": ", 1)[-1][:60]
        else:
            verdict = f"passed ({seconds:.1f} s)"
        found.setdefault(name, []).append(verdict)
    return found


def main(sqlite: str, postgresql: str) -> int:
    runs = [results(sqlite), results(postgresql)]
    print(f"\nFault runs, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"load average {os.getloadavg()[0]:.1f}\n")
    print("| fault | SQLite | PostgreSQL |\n|---|---|---|")
    failed = False
    for name, scenario in SCENARIOS.items():
        cells = []
        for run in runs:
            verdicts = run.get(name, ["not run"])
            failed |= any(v.startswith("FAILED") for v in verdicts)
            cells.append(verdicts[0] if len(set(v.split(" (")[0] for v in verdicts)) == 1 and len(verdicts) == 1
                         else ", ".join(verdicts))
        print(f"| {scenario} | {cells[0]} | {cells[1]} |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
