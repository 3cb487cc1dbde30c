"""Pure, vectorised normalisers for the quirks of the departments' feeds (no Dagster).

Each parser takes a pandas Series of cells (str, None/NaN, int, float, bool, date/datetime)
and returns values index-aligned with it; most also return an `invalid` bool Series
(True where a non-empty value could not be used; empty values are null and not invalid).
"""

from rongjiu.normalize.communities import community_codes_from_names, normalize_community_codes
from rongjiu.normalize.dates import parse_dates, parse_datetimes, parse_school_years, parse_yearmonths
from rongjiu.normalize.idnumber import (
    ID_STATUSES,
    birth_dates_from_ids,
    check_char,
    convert15,
    is_valid_id,
    mask_id,
    normalize_id_numbers,
    parse_disability_cert,
    sexes_from_ids,
)
from rongjiu.normalize.money import parse_bools, parse_money, parse_numbers
from rongjiu.normalize.names import name_pinyin, normalize_names
from rongjiu.normalize.phones import normalize_phones
from rongjiu.normalize.text import clean_enum, clean_text

__all__ = [
    "ID_STATUSES", "birth_dates_from_ids", "check_char", "clean_enum", "clean_text",
    "community_codes_from_names", "convert15", "is_valid_id", "mask_id", "name_pinyin",
    "normalize_community_codes", "normalize_id_numbers", "normalize_names", "normalize_phones",
    "parse_bools", "parse_dates", "parse_datetimes", "parse_disability_cert", "parse_money",
    "parse_numbers", "parse_school_years", "parse_yearmonths", "sexes_from_ids",
]
