"""The bootstrap behind "would the result change?" is reproducible: the same seed gives the
same verdict and the same counts, every time the report is built."""

import numpy as np

from pb.equalities.census import ward_census_rows
from pb.equalities.characteristics import census_margins
from pb.equalities.report import build_report
from pb.equalities.responses import Responses
from pb.equalities.reweight import would_result_change
from pb.equalities.simulate import OLDER_OWNERS, draw_answers, synthetic_election

WARD = "E05014102"  # Clapham Town
CENSUS = ward_census_rows(WARD)
MARGINS = census_margins(CENSUS)


def borderline_round():
    """300 voters, skewed to older owners: a round whose verdict does not hold in every
    resample, so a different seed can give different counts."""
    rng = np.random.default_rng(0)
    answers = draw_answers(MARGINS, 300, rng, OLDER_OWNERS)
    return answers, synthetic_election(answers, rng)


def figures(result):
    boot = result.bootstrap
    return result.verdict, (boot.resamples, boot.changed, boot.failed, boot.seed)


def test_the_same_seed_gives_the_same_verdict_and_counts():
    answers, election = borderline_round()
    runs = [would_result_change(election, Responses.from_answers(answers), MARGINS,
                                resamples=40, seed=seed) for seed in (1, 1, 2, 3)]
    first, again, *others = [figures(r) for r in runs]
    assert first == again
    assert first[0] == "yes" and first[1][0] + first[1][2] == 40
    # the figures are a genuine sample: another seed may give another count (the verdict
    # itself is from the full sample and never depends on the seed)
    assert {f[0] for f in others} == {first[0]}
    assert len({f[1][1] for f in (first, *others)}) > 1
    assert 0 < first[1][1] < 40  # borderline: neither every resample nor none


def test_the_report_built_twice_with_one_seed_reads_the_same():
    answers, election = borderline_round()

    def build(seed):
        report = build_report(WARD, CENSUS, answers, election=election, resamples=40,
                              seed=seed)
        return (report.verdict, report.result_changes, report.bootstrap,
                [(c.characteristic.key, c.summary) for c in report.characteristics])

    assert build(11) == build(11)
    assert build(11)[:2] == build(12)[:2]  # the verdict does not depend on the seed
