"""The equality monitoring questions and how each answer maps onto the Census 2021.

Every question is optional and offers "Prefer not to say". A participant who skips a
question or prefers not to say is counted as *non-response* for it: shown as its own
row, never in the shares or the tests.

Mapping from census categories (the exact labels in ``pb/data/lambeth``) to monitoring
categories:

| characteristic | census table (base) | monitoring category | census categories |
|---|---|---|---|
| age | TS007, ward (usual residents; **16+ only**) | 16 to 24 | Aged 16 to 19 years + Aged 20 to 24 years |
| | | 25 to 34 | Aged 25 to 34 years |
| | | 35 to 49 | Aged 35 to 49 years |
| | | 50 to 64 | Aged 50 to 64 years |
| | | 65 to 74 | Aged 65 to 74 years |
| | | 75 or over | Aged 75 to 84 years + Aged 85 years and over |
| | | (not compared) | Aged 4 years and under, Aged 5 to 9 years, Aged 10 to 15 years: dropped, participants are 16+ |
| sex | ONS mid-2022 ward estimates by age and sex, **residents in the round's age range** (16+ by default) | Female | Female |
| | | Male | Male |
| ethnic_group | TS022 with Lambeth's own 6-group regrouping, ward (usual residents, all ages) | Asian or Asian British | Asian, Asian British or Asian Welsh |
| | | Black or Black British: African background | Black, Black British, Black Welsh of African background |
| | | Black or Black British: Caribbean background | Black, Black British, Black Welsh or Caribbean background |
| | | Mixed or multiple ethnic groups | Mixed or Multiple ethnic groups |
| | | White | White |
| | | Other ethnic group | Other ethnic group |
| disability | TS038, LSOAs summed to the ward by the ONS **best-fit** lookup (usual residents, all ages) | Disabled | Disabled under the Equality Act |
| | | Not disabled | Not disabled under the Equality Act |
| english_proficiency | TS029, ward (usual residents aged 3+) | English is my main language | Main language is English (English or Welsh in Wales) |
| | | Another main language; I speak English very well or well | Main language is not English (…): Can speak English very well + …: Can speak English well |
| | | Another main language; I do not speak English well or at all | Main language is not English (…): Cannot speak English well + …: Cannot speak English |
| tenure | TS054, ward (**households**, not people) | Own (outright, mortgage or shared ownership) | Owns outright + Owns with a mortgage or loan + Shared ownership |
| | | Rent from the council or a housing association | Rents from council or Local Authority + Other social rented |
| | | Rent privately | Private landlord or letting agency + Other private rented |
| | | Live rent free | Lives rent free |

Thin categories are merged with a neighbour, on both the participant and the census side,
when they have fewer than 10 participants (for publication) or fewer than the raking
minimum (for weighting): 75 or over joins 65 to 74 ("65 or over"); live rent free joins
rent privately ("Rent privately or live rent free"); not speaking English well joins
speaking it well ("Another main language"). Ethnic groups, sex and disability are never
merged: a thin one is withheld instead (see ``disclosure``).

Where the comparator is not the population eligible to vote, ``eligible_bias`` says so and
in which direction the ratio is pushed (shown to the panel beside the table).

Caveats carried in each characteristic's ``note`` (shown to the panel):

- age: the census comparator is residents aged 16+, since participants are 16+;
- sex and ethnic group: the census base is all ages, participants are 16+, so the
  comparison assumes the adult mix is like the all-age mix;
- ethnic group: Lambeth's ward export splits Black residents in a non-standard way
  ("Caribbean background" includes TS021's "Other Black"); our question asks the same
  two Lambeth groups, so compare like with like and do not read the Caribbean row as
  the ONS "Black Caribbean" tick-box;
- disability: published only for LSOAs, which do not nest in wards, so every ward is
  compared with the Lambeth-wide figure;
- English: the census base is residents aged 3+;
- tenure: the census counts households, participants are people, so people in larger
  (often social-rented or family-owned) households weigh more among participants than
  in the census shares.

The census is perturbed (cell-key perturbation), so shares are taken within one table
using its own category sum, and a difference of a few people means nothing.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pb.equalities.messages import N_

PREFER_NOT_TO_SAY = "prefer_not_to_say"
NON_RESPONSE = "non_response"  # the row key for "no answer or prefer not to say"
NON_RESPONSE_LABEL = N_("No answer or prefer not to say")
PREFER_NOT_TO_SAY_LABEL = N_("Prefer not to say")


class CensusMappingError(ValueError):
    """A census row whose category this module does not know (the data has changed)."""


@dataclass(frozen=True)
class Category:
    key: str
    label: str  # msgid: the answer option as the participant sees it
    group: str  # msgid: the people in it, as a sentence subject ("Disabled people")
    census_labels: tuple[str, ...]


@dataclass(frozen=True)
class Merge:
    """Two categories shown (and weighted) as one when the smaller is too thin on its own."""

    small: str  # the category that tends to be thin
    into: str  # the neighbour it joins
    key: str  # the merged row's key
    label: str  # msgid
    group: str  # msgid


@dataclass(frozen=True)
class Characteristic:
    key: str  # also the census topic key used by pb.services.census
    question: str  # msgid
    categories: tuple[Category, ...]
    census_table: str  # e.g. "TS007"
    census_base: str  # msgid: whom the census table counts
    note: str  # msgid: the caveat for the panel
    census_dropped: tuple[str, ...] = ()  # census labels deliberately not compared
    geography: str = "ward"  # "ward" or "borough" (the comparator's area)
    counts_households: bool = False  # the census counts households, not people
    merges: tuple[Merge, ...] = ()
    eligible_bias: str | None = None  # msgid: how a non-eligible comparator biases the ratio
    rake_levels: tuple = ()  # coarser groupings tried in turn when weighting (RowSpecs)
    raked: bool = True  # False: never weighted on (said why in ``not_raked``)
    not_raked: str | None = None  # msgid

    @property
    def category_keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.categories)

    def category(self, key: str) -> Category:
        for c in self.categories:
            if c.key == key:
                return c
        raise KeyError(key)

    def answer_options(self) -> list[tuple[str, str]]:
        """(value, msgid) pairs for the form, ending with "Prefer not to say"."""
        return [(c.key, c.label) for c in self.categories] + [
            (PREFER_NOT_TO_SAY, PREFER_NOT_TO_SAY_LABEL)
        ]


_NOT_ENGLISH = "Main language is not English (English or Welsh in Wales): "

AGE = Characteristic(
    key="age",
    question=N_("What is your age?"),
    categories=(
        Category("16_24", N_("16 to 24"), N_("People aged 16 to 24"),
                 ("Aged 16 to 19 years", "Aged 20 to 24 years")),
        Category("25_34", N_("25 to 34"), N_("People aged 25 to 34"), ("Aged 25 to 34 years",)),
        Category("35_49", N_("35 to 49"), N_("People aged 35 to 49"), ("Aged 35 to 49 years",)),
        Category("50_64", N_("50 to 64"), N_("People aged 50 to 64"), ("Aged 50 to 64 years",)),
        Category("65_74", N_("65 to 74"), N_("People aged 65 to 74"), ("Aged 65 to 74 years",)),
        Category("75_plus", N_("75 or over"), N_("People aged 75 or over"),
                 ("Aged 75 to 84 years", "Aged 85 years and over")),
    ),
    census_table="TS007",
    census_base=N_("Usual residents aged 16 or over"),
    note=N_("Compared with residents aged 16 or over; the census bands 16 to 19 and "
            "20 to 24 are combined."),
    census_dropped=("Aged 4 years and under", "Aged 5 to 9 years", "Aged 10 to 15 years"),
    merges=(Merge("75_plus", "65_74", "65_plus", N_("65 or over"), N_("People aged 65 or over")),),
)

SEX = Characteristic(
    key="sex",
    question=N_("What is your sex?"),
    categories=(
        Category("female", N_("Female"), N_("Women"), ("Female",)),
        Category("male", N_("Male"), N_("Men"), ("Male",)),
    ),
    census_table="ONS mid-2022",
    census_base=N_("Residents of voting age (ONS mid-2022 ward estimates)"),
    note=N_("Compared with residents old enough to vote in this round, from the ONS mid-2022 "
            "ward population estimates by age and sex (estimates, not census counts). A "
            "five-year age band that straddles the youngest voting age counts in proportion."),
)

ETHNIC_GROUP = Characteristic(
    key="ethnic_group",
    question=N_("What is your ethnic group?"),
    categories=(
        Category("asian", N_("Asian or Asian British"), N_("Asian or Asian British people"),
                 ("Asian, Asian British or Asian Welsh",)),
        Category("black_african", N_("Black or Black British: African background"),
                 N_("Black people of African background"),
                 ("Black, Black British, Black Welsh of African background",)),
        Category("black_caribbean", N_("Black or Black British: Caribbean or other Black background"),
                 N_("Black people of Caribbean or other Black background"),
                 ("Black, Black British, Black Welsh or Caribbean background",)),
        Category("mixed", N_("Mixed or multiple ethnic groups"),
                 N_("People of mixed or multiple ethnic groups"),
                 ("Mixed or Multiple ethnic groups",)),
        Category("white", N_("White"), N_("White people"), ("White",)),
        Category("other", N_("Another ethnic group"), N_("People of another ethnic group"),
                 ("Other ethnic group",)),
    ),
    census_table="TS022",
    census_base=N_("Usual residents, all ages"),
    note=N_("Lambeth's own grouping of the census: its 'Caribbean background' group also "
            "includes other Black backgrounds, so it is not the ONS 'Black Caribbean' "
            "tick-box. The row for all Black people together compares with a standard "
            "five-group question. The census figure covers all ages."),
    eligible_bias=N_("The census figure counts children too, and is not published by age for "
                     "wards. In Lambeth, children are more often of mixed or Black ethnicity "
                     "than adults, so these groups' share of residents is higher than their "
                     "share of people old enough to vote: their ratios read lower (more "
                     "under-represented) than they are, and White residents' higher."),
)

DISABILITY = Characteristic(
    key="disability",
    question=N_("Are you disabled under the Equality Act 2010? (Do you have a physical or "
                "mental condition or illness that has lasted or is expected to last 12 months "
                "or more and reduces your ability to carry out day-to-day activities?)"),
    categories=(
        Category("disabled", N_("Yes"), N_("Disabled people"),
                 ("Disabled under the Equality Act",)),
        Category("not_disabled", N_("No"), N_("People who are not disabled"),
                 ("Not disabled under the Equality Act",)),
    ),
    census_table="TS038",
    census_base=N_("Usual residents, all ages, Lambeth as a whole"),
    note=N_("The census publishes disability only for small areas (LSOAs). Each is given "
            "whole to the ward that holds most of its people (the ONS best-fit lookup), so "
            "the ward figure is approximate: differences of about 1 point mean nothing."),
    eligible_bias=N_("The census figure counts children too, and children are less often "
                     "disabled than adults, so disabled people's share of residents is lower "
                     "than their share of people old enough to vote: their ratio reads higher "
                     "(more over-represented, or less under-represented) than it is."),
)

ENGLISH_PROFICIENCY = Characteristic(
    key="english_proficiency",
    question=N_("What is your main language, and how well do you speak English?"),
    categories=(
        Category("english_main", N_("English is my main language"),
                 N_("People whose main language is English"),
                 ("Main language is English (English or Welsh in Wales)",)),
        Category("speaks_well", N_("Another language is my main language; I speak English "
                                   "very well or well"),
                 N_("People with another main language who speak English well"),
                 (_NOT_ENGLISH + "Can speak English very well",
                  _NOT_ENGLISH + "Can speak English well")),
        Category("speaks_not_well", N_("Another language is my main language; I do not speak "
                                       "English well or at all"),
                 N_("People who do not speak English well or at all"),
                 (_NOT_ENGLISH + "Cannot speak English well",
                  _NOT_ENGLISH + "Cannot speak English")),
    ),
    census_table="TS029",
    census_base=N_("Usual residents aged 3 or over"),
    note=N_("The census figure covers residents aged 3 or over."),
    eligible_bias=N_("The census figure counts children aged 3 to 15 too, and is not published "
                     "by age for wards. Children born here more often have English as their "
                     "main language, so people with another main language are likely to be a "
                     "larger share of adults than of residents: their ratios may read higher "
                     "than they are."),
    merges=(Merge("speaks_not_well", "speaks_well", "english_not_main",
                  N_("Another language is my main language"),
                  N_("People whose main language is not English")),),
)

TENURE = Characteristic(
    key="tenure",
    question=N_("Do you own or rent your home?"),
    categories=(
        Category("own", N_("I own it (outright, with a mortgage or through shared ownership)"),
                 N_("Home owners"),
                 ("Owns outright", "Owns with a mortgage or loan", "Shared ownership")),
        Category("social_rent", N_("I rent from the council or a housing association"),
                 N_("Council and housing association tenants"),
                 ("Rents from council or Local Authority", "Other social rented")),
        Category("private_rent", N_("I rent from a private landlord"),
                 N_("Private renters"),
                 ("Private landlord or letting agency", "Other private rented")),
        Category("rent_free", N_("I live rent free"), N_("People who live rent free"),
                 ("Lives rent free",)),
    ),
    census_table="TS054",
    census_base=N_("Households"),
    counts_households=True,
    merges=(Merge("rent_free", "private_rent", "private_rent_or_rent_free",
                  N_("I rent privately or live rent free"),
                  N_("Private renters and people who live rent free")),),
    note=N_("The census counts households, not people: the comparison is with the share of "
            "households, and people in larger households count more among participants."),
    eligible_bias=N_("Households, not people: social-rented and owner households are often "
                     "larger than private-rented ones, so the people in them are a larger "
                     "share of residents than their households are of households. Read these "
                     "ratios as a rough guide only."),
    raked=False,
    not_raked=N_("Not weighted: the census counts households, not people, and no ward table "
                 "gives people by tenure, so weighting people to household shares would "
                 "distort the result rather than correct it."),
)

@dataclass(frozen=True)
class RowSpec:
    """One row of a published table: a category, or categories merged into one."""

    key: str
    label: str  # msgid
    group: str  # msgid
    members: tuple[str, ...]  # category keys


def row_layout(characteristic: Characteristic, merged: Iterable[Merge] = ()) -> tuple[RowSpec, ...]:
    """The table's rows in question order, with the given merges applied."""
    merged = {m.into: m for m in merged}
    small = {m.small for m in merged.values()}
    rows = []
    for cat in characteristic.categories:
        if cat.key in small:
            continue
        m = merged.get(cat.key)
        if m is None:
            rows.append(RowSpec(cat.key, cat.label, cat.group, (cat.key,)))
        else:
            members = tuple(k for k in characteristic.category_keys if k in (m.small, m.into))
            rows.append(RowSpec(m.key, m.label, m.group, members))
    return tuple(rows)


def thin_merges(characteristic: Characteristic, counts: Mapping[str, float],
                minimum: float) -> tuple[Merge, ...]:
    """The merges to apply because their small category has fewer than ``minimum``."""
    return tuple(m for m in characteristic.merges if counts.get(m.small, 0) < minimum)


def regroup(counts: Mapping[str, float], layout: Iterable[RowSpec]) -> dict[str, float]:
    """Category counts summed into the layout's rows (NON_RESPONSE kept if present)."""
    rows = {row.key: sum(counts.get(k, 0) for k in row.members) for row in layout}
    if NON_RESPONSE in counts:
        rows[NON_RESPONSE] = counts[NON_RESPONSE]
    return rows


def _r(key, label, group, *members) -> RowSpec:
    return RowSpec(key, label, group, members)


_BLACK = _r("black", N_("Black or Black British (African, Caribbean and other Black "
                        "backgrounds together)"), N_("Black people"),
            "black_african", "black_caribbean")

# A row shown beside the split, not instead of it (and tested like any other row).
COMBINED_ROWS: dict[str, tuple[RowSpec, ...]] = {"ethnic_group": (_BLACK,)}

# When weighting, a characteristic with a group under the minimum is not dropped: its
# groups are merged along these levels, finest first, until every group has enough
# answers. Each level merges neighbours (adjacent ages; related ethnic groups) so the
# weighting still corrects the biggest differences.
RAKE_LEVELS: dict[str, tuple[tuple[RowSpec, ...], ...]] = {
    "age": (
        (_r("16_24", N_("16 to 24"), "", "16_24"), _r("25_34", N_("25 to 34"), "", "25_34"),
         _r("35_49", N_("35 to 49"), "", "35_49"), _r("50_64", N_("50 to 64"), "", "50_64"),
         _r("65_plus", N_("65 or over"), "", "65_74", "75_plus")),
        (_r("16_34", N_("16 to 34"), "", "16_24", "25_34"),
         _r("35_64", N_("35 to 64"), "", "35_49", "50_64"),
         _r("65_plus", N_("65 or over"), "", "65_74", "75_plus")),
        (_r("16_49", N_("16 to 49"), "", "16_24", "25_34", "35_49"),
         _r("50_plus", N_("50 or over"), "", "50_64", "65_74", "75_plus")),
    ),
    "ethnic_group": (
        (_r("asian", N_("Asian or Asian British"), "", "asian"), _BLACK,
         _r("mixed", N_("Mixed or multiple ethnic groups"), "", "mixed"),
         _r("white", N_("White"), "", "white"),
         _r("other", N_("Another ethnic group"), "", "other")),
        (_r("asian", N_("Asian or Asian British"), "", "asian"), _BLACK,
         _r("mixed_other", N_("Mixed, multiple or another ethnic group"), "", "mixed", "other"),
         _r("white", N_("White"), "", "white")),
        (_BLACK, _r("white", N_("White"), "", "white"),
         _r("asian_mixed_other", N_("Asian, mixed, multiple or another ethnic group"), "",
            "asian", "mixed", "other")),
        (_r("white", N_("White"), "", "white"),
         _r("not_white", N_("Every group other than White"), "",
            "asian", "black_african", "black_caribbean", "mixed", "other")),
    ),
    "english_proficiency": (
        (_r("english_main", N_("English is my main language"), "", "english_main"),
         _r("english_not_main", N_("Another language is my main language"), "",
            "speaks_well", "speaks_not_well")),
    ),
}


CHARACTERISTICS: tuple[Characteristic, ...] = (
    AGE, SEX, ETHNIC_GROUP, DISABILITY, ENGLISH_PROFICIENCY, TENURE,
)
BY_KEY: dict[str, Characteristic] = {c.key: c for c in CHARACTERISTICS}


def _label_index() -> dict[str, dict[str, str | None]]:
    """topic -> census label -> monitoring category key (None for dropped labels)."""
    index: dict[str, dict[str, str | None]] = {}
    for ch in CHARACTERISTICS:
        labels: dict[str, str | None] = {label: None for label in ch.census_dropped}
        for cat in ch.categories:
            for label in cat.census_labels:
                labels[label] = cat.key
        index[ch.key] = labels
    return index


_LABELS = _label_index()


_AGE_LABEL = re.compile(r"Aged (\d+)(?: to (\d+))? years(?: and (over|under))?")


def _age_band(label: str) -> tuple[int, int | None]:
    m = _AGE_LABEL.fullmatch(label)
    if m is None:
        raise CensusMappingError(f"unknown age band {label!r}")
    low, high, side = m.groups()
    if side == "under":
        return 0, int(low)
    if side == "over":
        return int(low), None
    return int(low), int(high)


def age_fraction(low: int, high: int | None, age_range) -> float:
    """The share of a band's ages (inclusive; None = open) inside ``age_range``
    (youngest, oldest; None = no limit), counting each year alike; an open band counts
    whole once its start is in range."""
    youngest, oldest = age_range
    youngest = youngest or 0
    if oldest is not None and oldest < low:
        return 0.0
    if high is None:
        return 1.0
    lo, hi = max(low, youngest), high if oldest is None else min(high, oldest)
    return max(0, hi - lo + 1) / (high - low + 1)


def census_margins(rows: Iterable[tuple[str, str, int]],
                   age_range: tuple[int | None, int | None] | None = None,
                   ) -> dict[str, dict[str, int]]:
    """Map one ward's census rows (topic, category label, count) to monitoring categories.

    Topics this module does not compare (e.g. "religion") are ignored; an unknown
    category label within a compared topic raises ``CensusMappingError``. Only topics
    present in ``rows`` appear in the result, each with every one of its categories.

    ``age_range`` (the round's youngest and oldest voters) restricts the age margin to the
    ages that may vote: a census band straddling an edge counts in proportion (rounded to
    whole people); the question's bands (16+) stay as they are. None: 16 or over.
    """
    margins: dict[str, dict[str, int]] = {}
    for topic, label, count in rows:
        labels = _LABELS.get(topic)
        if labels is None:
            continue
        if label not in labels:
            raise CensusMappingError(f"unknown census category {label!r} for {topic!r}")
        key = labels[label]
        if key is None:
            continue
        margin = margins.setdefault(topic, dict.fromkeys(BY_KEY[topic].category_keys, 0))
        if topic == "age" and age_range is not None:
            count = round(int(count) * age_fraction(*_age_band(label), age_range))
        margin[key] += int(count)
    return margins


def answer_key(characteristic: Characteristic, answer: str | None) -> str:
    """The row an answer falls in: a category key, or NON_RESPONSE."""
    if answer is None or answer == PREFER_NOT_TO_SAY or answer == "":
        return NON_RESPONSE
    if answer not in characteristic.category_keys:
        raise ValueError(f"{answer!r} is not an answer to {characteristic.key!r}")
    return answer
