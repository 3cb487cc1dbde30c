"""Scalar rules of the resident ID number (GB 11643-1999), in plain Python.

Kept free of numpy/pandas so that a one-person lookup can check a typed number
without paying for those imports; the vectorised normaliser (idnumber.py) uses
the same constants and functions.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
MIN_YEAR, MAX_YEAR = 1880, 2100  # generous bounds for a plausible birth year


def check_char(first17: str) -> str:
    """The GB 11643 check character (mod 11-2, 'X' for 10) of the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("check_char needs exactly 17 ASCII digits")
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def date_ok(yyyymmdd: str) -> bool:
    try:
        year = int(yyyymmdd[:4])
        dt.date(year, int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return MIN_YEAR <= year <= MAX_YEAR


def is_valid_id(s: str) -> bool:
    """18 chars (17 digits + digit/X, upper case), a real birth date, region not 000000, right check char."""
    if not isinstance(s, str) or len(s) != 18 or not s.isascii():
        return False
    if not s[:17].isdigit() or not (s[17].isdigit() or s[17] == "X"):
        return False
    if s[:6] == "000000" or not date_ok(s[6:14]):
        return False
    return check_char(s[:17]) == s[17]


def convert15(id15: str) -> str:
    """A legacy 15-digit ID (YYMMDD, 19xx) as 18 characters with its check character."""
    if len(id15) != 15 or not id15.isascii() or not id15.isdigit():
        raise ValueError("convert15 needs exactly 15 ASCII digits")
    first17 = id15[:6] + "19" + id15[6:]
    return first17 + check_char(first17)


def mask_id(s: object) -> str:
    """For logs and shared screens: keep the first 4 and last 4 characters, e.g. 6101**********123X."""
    if s is None or s != s:  # None or NaN
        return ""
    s = str(s)
    if len(s) <= 8:
        return "*" * len(s)
    return s[:4] + "*" * (len(s) - 8) + s[-4:]


def clean_typed_id(text: str) -> str:
    """An ID number as a person typed it: full-width to half-width, spaces and dashes gone, x upper-cased."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if not ch.isspace() and ch not in "-_'\"").upper()


def canonical_typed_id(text: str) -> tuple[str | None, str]:
    """(canonical 18-char ID or None, id status) for one typed number.

    Statuses as in idnumber.normalize_id_numbers: valid, converted15, bad_check,
    malformed, missing (a typed number cannot be Excel-damaged).
    """
    text = clean_typed_id(text)
    if not text:
        return None, "missing"
    if len(text) == 15 and text.isascii() and text.isdigit():
        if text[:6] == "000000" or not date_ok("19" + text[6:12]):
            return None, "malformed"
        return convert15(text), "converted15"
    if len(text) == 18 and text.isascii() and text[:17].isdigit() and (text[17].isdigit() or text[17] == "X"):
        return (text, "valid") if is_valid_id(text) else (None, "bad_check")
    return None, "malformed"
