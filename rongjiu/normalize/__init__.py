"""Pure, vectorised normalisers for the quirks of the departments' feeds (no Dagster).

Each parser takes a pandas Series of cells (str, None/NaN, int, float, bool, date/datetime)
and returns values index-aligned with it; most also return an `invalid` bool Series
(True where a non-empty value could not be used; empty values are null and not invalid).

Import the submodules (idnumber, names, dates, money, phones, communities, text):
this package deliberately imports nothing itself, so that `idcheck` (plain Python)
stays cheap for a one-person lookup.
"""
