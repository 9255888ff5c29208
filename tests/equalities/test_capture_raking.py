"""Raking participants to the ward's census margins."""

import numpy as np
import pytest
from ipfn import ipfn

from pb.equalities.census import ward_census_rows
from pb.equalities.characteristics import BY_KEY, CHARACTERISTICS, census_margins
from pb.equalities.raking import (
    TOO_FEW,
    RakeSettings,
    RakingError,
    fit,
    fit_many,
    kish_effective_sample_size,
    rake,
)
from pb.equalities.responses import Responses

MARGINS = census_margins(ward_census_rows("E05014116"))  # Streatham Wells
UNTRIMMED = RakeSettings(trim_low=None, trim_high=None, tolerance=1e-12, max_iterations=10_000)
COLUMN = {ch.key: i for i, ch in enumerate(CHARACTERISTICS)}


def skewed_codes(n, keys, rng, missing=0.0):
    """Participants answering only ``keys``, drawn with a lopsided mix."""
    codes = np.full((n, len(CHARACTERISTICS)), -1, dtype=np.int16)
    for key in keys:
        k = len(BY_KEY[key].categories)
        p = rng.dirichlet(np.ones(k)) * 0.7 + 0.3 / k
        column = rng.choice(k, n, p=p)
        column[rng.random(n) < missing] = -1
        codes[:, COLUMN[key]] = column
    return Responses(codes)


def shares(margin, keys):
    values = np.array([margin[k] for k in keys], dtype=float)
    return values / values.sum()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_raking_agrees_with_ipfn_on_the_same_margins(seed):
    rng = np.random.default_rng(seed)
    keys = ("age", "sex", "english_proficiency", "disability")
    responses = skewed_codes(3000, keys, rng)
    result = rake(responses, {k: MARGINS[k] for k in keys}, UNTRIMMED)
    assert result.converged and set(result.used) == set(keys)

    # the same fit by ipfn, on the cross-tabulation, with margins scaled to the sample
    columns = [responses.column(BY_KEY[k]) for k in keys]
    dims = [len(BY_KEY[k].categories) for k in keys]
    table = np.zeros(dims)
    np.add.at(table, tuple(columns), 1)
    aggregates = [shares(MARGINS[k], BY_KEY[k].category_keys) * len(responses) for k in keys]
    fitted = ipfn.ipfn(table.copy(), aggregates, [[i] for i in range(len(keys))],
                       convergence_rate=1e-13, max_iteration=10_000).iteration()

    ours = np.zeros(dims)
    np.add.at(ours, tuple(columns), result.weights)
    assert np.max(np.abs(ours - fitted)) < 1e-6
    assert ours.sum() == pytest.approx(len(responses))

    # and the bootstrap's batched fit (every resample at once) matches ipfn the same way
    patterns, inverse, counts = np.unique(result.plan.codes, axis=0, return_inverse=True,
                                          return_counts=True)
    doubled = np.vstack([counts, counts * 2]).astype(float)
    many, failed = fit_many(patterns, doubled, result.plan.targets, UNTRIMMED)
    assert not failed.any()
    for row in many:
        batched = np.zeros(dims)
        np.add.at(batched, tuple(columns), row[inverse.reshape(-1)])
        assert np.max(np.abs(batched - fitted)) < 1e-6


def test_the_batched_fit_takes_each_sample_through_the_same_steps_as_fit():
    rng = np.random.default_rng(8)
    keys = ("age", "sex", "english_proficiency", "disability")
    result = rake(skewed_codes(1500, keys, rng, missing=0.1), {k: MARGINS[k] for k in keys})
    patterns, counts = np.unique(result.plan.codes, axis=0, return_counts=True)
    draws = rng.multinomial(counts.sum(), counts / counts.sum(), size=30).astype(float)
    many, failed = fit_many(patterns, draws, result.plan.targets)
    for draw, row, broken in zip(draws, many, failed, strict=True):
        present = draw > 0
        try:
            alone = fit(patterns[present], draw[present], result.plan.targets)[0]
        except RakingError:
            assert broken
            continue
        assert not broken
        assert np.max(np.abs(row[present] - alone)) < 1e-9


def test_people_who_did_not_answer_keep_their_weight_through_that_margin():
    rng = np.random.default_rng(7)
    responses = skewed_codes(4000, ("age", "sex", "ethnic_group"), rng, missing=0.1)
    result = rake(responses, MARGINS, UNTRIMMED)
    assert result.weights.mean() == pytest.approx(1.0)
    for key in ("age", "sex", "ethnic_group"):
        ch = BY_KEY[key]
        weighted = responses.counts(ch, weights=result.weights)
        answered = np.array([weighted[k] for k in ch.category_keys])
        assert answered / answered.sum() == pytest.approx(shares(MARGINS[key], ch.category_keys),
                                                          abs=1e-9)
    assert set(result.skipped) == {"disability", "english_proficiency", "tenure"}


def tilted_codes(n, tilts, rng):
    """Participants drawn from the census shares times ``tilts`` (key -> category -> factor)."""
    codes = np.full((n, len(CHARACTERISTICS)), -1, dtype=np.int16)
    for key, factors in tilts.items():
        ch = BY_KEY[key]
        p = np.array([MARGINS[key][k] * factors.get(k, 1) for k in ch.category_keys], float)
        codes[:, COLUMN[key]] = rng.choice(len(p), n, p=p / p.sum())
    return Responses(codes)


def test_trimmed_weights_stay_inside_the_caps_and_the_margins_still_hold():
    rng = np.random.default_rng(11)
    # young men are doubly scarce: their untrimmed weight goes above 2
    responses = tilted_codes(5000, {"age": {"16_24": 1 / 1.8, "65_74": 1.3, "75_plus": 1.3},
                                    "sex": {"male": 1 / 1.3}}, rng)
    caps = RakeSettings(trim_low=0.5, trim_high=2.0)
    loose = rake(responses, MARGINS, UNTRIMMED)
    trimmed = rake(responses, MARGINS, caps)
    assert loose.weight_range[1] > 2.0
    assert trimmed.caps_respected and trimmed.trim_rounds > 0
    low, high = trimmed.weight_range
    assert low >= 0.5 * (1 - 1e-6) and high <= 2.0 * (1 + 1e-6)
    for key in ("age", "sex"):
        ch = BY_KEY[key]
        weighted = responses.counts(ch, weights=trimmed.weights)
        answered = np.array([weighted[k] for k in ch.category_keys])
        assert answered / answered.sum() == pytest.approx(shares(MARGINS[key], ch.category_keys),
                                                          abs=1e-8)


def test_when_the_caps_cannot_hold_the_margins_win_and_it_says_so():
    rng = np.random.default_rng(12)
    responses = tilted_codes(5000, {"age": {"16_24": 0.2, "75_plus": 4}}, rng)
    result = rake(responses, MARGINS, RakeSettings(trim_low=0.5, trim_high=2.0))
    assert not result.caps_respected and result.weight_range[1] > 2.0
    weighted = responses.counts(BY_KEY["age"], weights=result.weights)
    assert weighted["16_24"] / 5000 == pytest.approx(
        MARGINS["age"]["16_24"] / sum(MARGINS["age"].values()), abs=1e-8)
    assert result.design_effect > 1


def test_kish_effective_sample_size():
    assert kish_effective_sample_size([1, 1, 1, 1]) == pytest.approx(4)
    assert kish_effective_sample_size([2, 0, 2, 0]) == pytest.approx(2)
    assert kish_effective_sample_size([3, 1]) == pytest.approx(16 / 10)


def test_thin_groups_are_merged_a_thin_characteristic_skipped_and_tenure_never_weighted():
    age, ethnic, sex = BY_KEY["age"], BY_KEY["ethnic_group"], BY_KEY["sex"]
    n = 600
    codes = np.full((n, len(CHARACTERISTICS)), -1, dtype=np.int16)
    # 3 aged 75 or over: merged with 65 to 74, so age is still raked
    codes[:, COLUMN["age"]] = np.r_[np.full(100, 0), np.full(150, 1), np.full(150, 2),
                                    np.full(150, 3), np.full(47, 4), np.full(3, 5)]
    # 8 Asian, 9 of another group: ethnic group is raked on coarser groups, not dropped
    codes[:, COLUMN["ethnic_group"]] = np.random.default_rng(3).permutation(np.r_[
        np.full(8, 0), np.full(150, 1), np.full(100, 2), np.full(30, 3), np.full(303, 4),
        np.full(9, 5)])
    codes[:, COLUMN["tenure"]] = np.r_[np.zeros(300), np.ones(300)]
    # only 5 men: sex is skipped, and the reason given
    codes[:, COLUMN["sex"]] = np.r_[np.zeros(595), np.ones(5)]
    result = rake(Responses(codes), MARGINS, UNTRIMMED)
    assert result.converged
    assert result.skipped["sex"] == TOO_FEW and sex.key not in result.used
    assert result.skipped["tenure"] == BY_KEY["tenure"].not_raked
    assert [r.key for r in result.levels["age"]][-1] == "65_plus"
    assert [r.key for r in result.levels["ethnic_group"]] == [
        "black", "white", "asian_mixed_other"]
    weighted = Responses(codes).counts(age, weights=result.weights)
    census = MARGINS["age"]
    assert (weighted["65_74"] + weighted["75_plus"]) / n == pytest.approx(
        (census["65_74"] + census["75_plus"]) / sum(census.values()))
    w = Responses(codes).counts(ethnic, weights=result.weights)
    c = MARGINS["ethnic_group"]
    assert (w["black_african"] + w["black_caribbean"]) / n == pytest.approx(
        (c["black_african"] + c["black_caribbean"]) / sum(c.values()))
