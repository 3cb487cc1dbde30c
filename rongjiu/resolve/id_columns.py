"""The ID-number columns of the identity records (id14, id_tail, id_rest, id_region, id_value).

`id_parts_text` defines them with pandas string methods. At ~7M records those take tens of
seconds, so the usual ID (18 ASCII characters) is cut from a fixed-width byte matrix instead
and only the few other strings go through the definition; tests hold the two to each other.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from rongjiu.resolve.columns import concurrently

ID_WIDTH = 18
PREFIX_DIGITS = (6, 14, 17)  # digit runs the columns test: region, region + birth date, all but the check


def id_parts_text(s: pd.Series, is_excel: np.ndarray) -> dict[str, pd.Series]:
    """The ID-derived text columns of ID-like strings s (str Series), by pandas string methods."""
    slen = s.str.len().fillna(0).to_numpy()
    head14 = s.str[:14]
    full = (slen == ID_WIDTH) & ~is_excel
    # Excel damage keeps the first 15 digits: region + the first sequence digit
    excel = is_excel & (slen >= 15)
    region = s.str[:6]
    return {
        "id14": head14.where(head14.str.fullmatch(r"\d{14}").fillna(False).to_numpy()),
        # the last four (sequence + check) only mean something on a full 18-character number
        "id_tail": s.str[14:18].where(full),
        # the ID digits that are not the birth date: region (6) + sequence and check (4). Compared on
        # their own so agreement of the birth-date digits is not counted twice with birth_date.
        "id_rest": (region + s.str[14:18].where(full, s.str[14:15])).where(full | excel),
        "id_region": region.where(region.str.fullmatch(r"\d{6}").fillna(False).to_numpy()),
        "excel15": s.str[:15].where(excel & s.str[:15].str.fullmatch(r"\d{15}").fillna(False).to_numpy()),
    }


def id_columns(s: pa.Array, is_excel: np.ndarray, idn: pa.Array, anchored: np.ndarray) -> dict[str, pa.Array | np.ndarray]:
    """id14, id_tail, id_rest, id_region (Arrow strings) and id_value (float64) of every record.

    s: the ID-like string per record (the anchored id_number, else the damaged partial);
    idn: id_number, null unless anchored.
    """
    ids = _IdBytes(s)
    fast = ids.fixed & ~is_excel
    slow = _flag(pc.is_valid(s)) & ~fast
    rows = np.flatnonzero(slow)
    text = id_parts_text(s.take(pa.array(rows)).to_pandas(), is_excel[rows])
    cuts = {"id14": ([slice(0, 14)], fast & ids.digits[14]), "id_tail": ([slice(14, 18)], fast),
            "id_rest": ([slice(0, 6), slice(14, 18)], fast), "id_region": ([slice(0, 6)], fast & ids.digits[6])}
    excel15 = text["excel15"].set_axis(rows).dropna()
    jobs = [lambda c=c: _patched(ids.strings(*cuts[c]), slow, text[c]) for c in cuts]
    return dict(zip([*cuts, "id_value"], concurrently(*jobs, lambda: _id_value(idn, anchored, ids, excel15)),
                    strict=True))


def _patched(fast: pa.Array, slow: np.ndarray, text: pd.Series) -> pa.Array:
    """The byte path's column with the slow rows' values from the pandas definition."""
    if not text.notna().any():  # the byte path's nulls already stand
        return fast
    return pc.replace_with_mask(fast, pa.array(slow), pa.array(text, type=pa.large_string()))


def _flag(mask: pa.Array) -> np.ndarray:
    return pc.fill_null(mask, False).to_numpy(zero_copy_only=False).astype(bool)


class _IdBytes:
    """The strings of 18 ASCII characters as an (n, 18) byte matrix (zeros in other rows)."""

    def __init__(self, s: pa.Array) -> None:
        n = len(s)
        self.fixed = _flag(pc.and_(pc.equal(pc.binary_length(s), ID_WIDTH), pc.equal(pc.utf8_length(s), ID_WIDTH)))
        if self.fixed.any():
            fixed = pc.cast(pc.if_else(self.fixed, s, pa.scalar(None, s.type)), pa.binary(ID_WIDTH))
            buf = np.frombuffer(fixed.buffers()[1], dtype=np.uint8)
            self.mat = buf[fixed.offset * ID_WIDTH:(fixed.offset + n) * ID_WIDTH].reshape(n, ID_WIDTH)
        else:
            self.mat = np.zeros((n, ID_WIDTH), dtype=np.uint8)
        # digits[k]: the first k characters are ASCII digits
        self.digits: dict[int, np.ndarray] = {}
        run = np.ones(n, dtype=bool)
        for j in range(max(PREFIX_DIGITS)):
            run &= (self.mat[:, j] - np.uint8(ord("0"))) < 10  # below "0" wraps around to >= 10
            if j + 1 in PREFIX_DIGITS:
                self.digits[j + 1] = run.copy()

    def strings(self, columns: list[slice], valid: np.ndarray) -> pa.Array:
        """The bytes at `columns` of each valid row as a string, null elsewhere (null slots keep
        their bytes: Arrow ignores them, and copying around them would cost more)."""
        n = len(self.mat)
        data = np.concatenate([self.mat[:, c] for c in columns], axis=1)
        offsets = np.arange(0, (n + 1) * data.shape[1], data.shape[1], dtype=np.int64)
        bitmap = np.packbits(valid, bitorder="little")
        return pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data), pa.py_buffer(bitmap),
                                                null_count=int(n - valid.sum()))

    def value17(self) -> np.ndarray:
        """The first 17 characters read as a decimal integer (meaningful where digits[17])."""
        v = np.zeros(len(self.mat), dtype=np.int64)
        for j in range(17):
            v *= 10
            v += self.mat[:, j]
        return v - ord("0") * int("1" * 17)


def _id_value(idn: pa.Array, anchored: np.ndarray, ids: _IdBytes, excel15: pd.Series) -> np.ndarray:
    """The number's value: Excel kept 15 significant digits (rounded), so the true number lies
    within 500 of partial * 1000; a valid number is compared on the same scale (last digit 0).

    An anchored record's ID string is its id_number, so the byte matrix holds its digits.
    excel15: the Excel-kept digits of the rows that have them (a Series indexed by row).
    """
    n = len(idn)
    fast = anchored & ids.fixed & ids.digits[17]
    rows = np.flatnonzero(fast)
    codes, uniq = pd.factorize(ids.value17()[rows])
    head = pc.utf8_lpad(pc.cast(pa.array(uniq, type=pa.int64()), pa.large_string()), 17, "0")
    texts = [pc.binary_join_element_wise(head, _large("0"), _large("")).to_pandas()]
    slow = np.flatnonzero(anchored & ~fast)
    texts.append(idn.take(pa.array(slow)).to_pandas().str[:17] + "0")
    num = _to_numeric(n, np.concatenate([rows, slow]), pd.concat(texts, ignore_index=True),
                      np.concatenate([codes, len(uniq) + np.arange(slow.size)]))
    excel_num = _to_numeric(n, excel15.index.to_numpy(), excel15.reset_index(drop=True), np.arange(len(excel15)))
    num = num.where(num.notna(), excel_num * 1000)
    return num.astype(np.float64).to_numpy()


def _large(value: str) -> pa.Scalar:
    return pa.scalar(value, pa.large_string())


def _to_numeric(n: int, rows: np.ndarray, texts: pd.Series, codes: np.ndarray) -> pd.Series:
    """pd.to_numeric(errors="coerce") of a length-n text column that is missing except at rows
    (row rows[i] holding texts[codes[i]]), parsing each distinct text once.

    pandas parses a column as integers only when nothing in it is missing or fractional, so a
    missing value joins the texts whenever the column has one: same parse, same numbers.
    """
    gaps = rows.size < n
    if gaps:
        texts = pd.concat([texts, pd.Series([None], dtype="str")], ignore_index=True)
    parsed = pd.to_numeric(texts.astype("str"), errors="coerce").to_numpy()
    out = np.empty(n, dtype=parsed.dtype)
    if gaps:
        out[:] = parsed[-1]
    out[rows] = parsed[codes]
    return pd.Series(out)
