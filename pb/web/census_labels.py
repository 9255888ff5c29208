"""Plain, translatable names for census topics and the publisher's category labels."""

from flask_babel import lazy_gettext as _l

TOPICS = {
    "age": _l("Age"),
    "sex": _l("Sex"),
    "ethnic_group": _l("Ethnic group"),
    "english_proficiency": _l("Main language and English"),
    "tenure": _l("Housing tenure"),
    "religion": _l("Religion"),
    "disability": _l("Disability"),
}

# Shown on the ward page, in this order (religion is loaded for analysis, not shown)
WARD_PAGE_TOPICS = ["age", "sex", "ethnic_group", "english_proficiency", "tenure"]

BASES = {
    "usual_residents": _l("usual residents"),
    "residents_3_plus": _l("residents aged 3 and over"),
    "households": _l("households"),
}

CATEGORIES = {
    "Aged 4 years and under": _l("4 and under"),
    "Aged 5 to 9 years": _l("5 to 9"),
    "Aged 10 to 15 years": _l("10 to 15"),
    "Aged 16 to 19 years": _l("16 to 19"),
    "Aged 20 to 24 years": _l("20 to 24"),
    "Aged 25 to 34 years": _l("25 to 34"),
    "Aged 35 to 49 years": _l("35 to 49"),
    "Aged 50 to 64 years": _l("50 to 64"),
    "Aged 65 to 74 years": _l("65 to 74"),
    "Aged 75 to 84 years": _l("75 to 84"),
    "Aged 85 years and over": _l("85 and over"),
    "Female": _l("Female"),
    "Male": _l("Male"),
    "Asian, Asian British or Asian Welsh": _l("Asian or Asian British"),
    "Black, Black British, Black Welsh of African background": _l("Black, African background"),
    "Black, Black British, Black Welsh or Caribbean background": _l("Black, Caribbean or other Black background"),
    "Mixed or Multiple ethnic groups": _l("Mixed or multiple ethnic groups"),
    "White": _l("White"),
    "Other ethnic group": _l("Other ethnic group"),
    "Main language is English (English or Welsh in Wales)": _l("English is their main language"),
    "Main language is not English (English or Welsh in Wales): Can speak English very well": _l("Another main language, speaks English very well"),
    "Main language is not English (English or Welsh in Wales): Can speak English well": _l("Another main language, speaks English well"),
    "Main language is not English (English or Welsh in Wales): Cannot speak English well": _l("Another main language, does not speak English well"),
    "Main language is not English (English or Welsh in Wales): Cannot speak English": _l("Another main language, does not speak English"),
    "Owns outright": _l("Owns outright"),
    "Owns with a mortgage or loan": _l("Owns with a mortgage or loan"),
    "Shared ownership": _l("Shared ownership"),
    "Rents from council or Local Authority": _l("Rents from the council"),
    "Other social rented": _l("Rents from a housing association or other social landlord"),
    "Private landlord or letting agency": _l("Rents from a private landlord or letting agency"),
    "Other private rented": _l("Other private renting"),
    "Lives rent free": _l("Lives rent free"),
    "Disabled under the Equality Act": _l("Disabled under the Equality Act"),
    "Not disabled under the Equality Act": _l("Not disabled under the Equality Act"),
}


def category_label(category: str):
    return CATEGORIES.get(category, category)
