"""Column helpers for the resolver's tables: Arrow-backed text in and out of pandas, resident
ids as categorical codes (a string per resident, not per record: 1M, not 7M), and running
column-wise work on both cores.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

T = TypeVar("T")
R = TypeVar("R")


def parallel(fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """fn over items on every core. Arrow and numpy kernels release the GIL, so column-wise work
    (takes, string kernels, numpy passes) runs side by side."""
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return list(pool.map(fn, items))


def concurrently(*jobs: Callable[[], R]) -> list[R]:
    """Run the jobs side by side (see parallel); their results in order."""
    return parallel(lambda job: job(), jobs)


def arrow(values: pd.Series | pd.Index | np.ndarray) -> pa.Array:
    """The values as one contiguous Arrow array (Arrow-backed pandas columns are not copied)."""
    a = pa.array(values)
    a = a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a
    # an object column of no (or only null) values has no type to infer: it is text here
    return a.cast(pa.large_string()) if pa.types.is_null(a.type) else a


def text(values: pa.Array | pa.ChunkedArray) -> pd.Series:
    """Arrow strings as a pandas str Series, without a copy."""
    return values.cast(pa.large_string()).to_pandas()


def take_text(values: pd.Series | pa.Array, pos: np.ndarray) -> pd.Series:
    """values at positions pos (-1 -> missing) as a str Series."""
    a = values if isinstance(values, pa.Array) else arrow(values)
    idx = pa.array(pos, mask=pos < 0) if pos.size else pa.array(pos, type=pa.int64())
    return text(a.take(idx))


def infer_text(values: pd.Series) -> pd.Series:
    """A str column as pandas infers one from Python objects: object (None) when it holds no
    value at all. The tables used to be built that way; consumers keep seeing the same dtypes."""
    if isinstance(values.dtype, pd.StringDtype) and not values.notna().any():
        return pd.Series(np.full(len(values), None, dtype=object), index=values.index)
    return values


def sorted_categorical(ids: pa.Array, codes: np.ndarray) -> pd.Categorical:
    """Per record, ids[codes] as a categorical whose categories (the distinct ids) are sorted."""
    order = pc.sort_indices(ids).to_numpy()
    rank = np.empty(len(ids), dtype=np.int64)
    rank[order] = np.arange(len(ids))
    categories = pd.Index(text(ids.take(pa.array(order))))
    return pd.Categorical.from_codes(rank[codes], dtype=pd.CategoricalDtype(categories))


def resident_codes(ids: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """(code per row into the sorted distinct ids, those ids). A categorical of sorted, all used
    ids (what assign_resident_ids returns) is taken as is; anything else is factorized."""
    if isinstance(ids.dtype, pd.CategoricalDtype):
        codes = ids.cat.codes.to_numpy().astype(np.int64)
        categories = ids.cat.categories
        if (codes >= 0).all() and categories.is_monotonic_increasing and \
                (np.bincount(codes, minlength=len(categories)) > 0).all():
            return codes, categories
        ids = category_text(ids)
    codes, uniq = pd.factorize(ids, sort=True)
    return codes.astype(np.int64), pd.Index(uniq)


def category_text(values: pd.Series | pd.Categorical) -> pd.Series:
    """A categorical (or text) column as a str Series, decoded in Arrow."""
    a = pa.array(values)
    if isinstance(a, pa.ChunkedArray):
        a = a.combine_chunks()
    if pa.types.is_dictionary(a.type):
        a = a.dictionary.take(a.indices)
    return text(a)
