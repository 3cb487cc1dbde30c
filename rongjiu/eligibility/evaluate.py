"""Evaluate the catalog over attribute frames: per program, who is eligible and why not.

Person programs are evaluated over one row per resident; household programs once
per household, the result handed to each member. Programs run in dependency order
so eligible.X is known before it is read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rongjiu.eligibility.attributes import Attributes
from rongjiu.eligibility.catalog import ALIVE_CONDITION, MEMBER_CONDITION, Catalog, Program
from rongjiu.eligibility.rules import Kind


def column_array(s: pd.Series, kind: Kind) -> np.ndarray:
    """A frame column as the evaluator wants it (see rules.py)."""
    if kind == "number":
        if s.dtype == "float64":
            return s.to_numpy()
        return pd.to_numeric(s, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    if kind == "bool":
        if s.dtype == bool:
            return s.to_numpy()
        return s.astype(object).fillna(False).astype(bool).to_numpy()
    out = s.to_numpy(dtype=object)
    null = pd.isna(out)
    if null.any():
        out = out.copy()
        out[null] = None
    return out


class FrameEnv(Mapping[str, Any]):
    """Attribute name -> array, converted on first use; extra arrays can be set."""

    def __init__(self, frame: pd.DataFrame, kinds: Mapping[str, Kind], prefix: str = "",
                 gather: np.ndarray | None = None, parent: Mapping[str, Any] | None = None):
        self.frame, self.kinds, self.prefix, self.gather, self.parent = frame, kinds, prefix, gather, parent
        self.cache: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        if name in self.cache:
            return self.cache[name]
        if self.parent is not None and name.startswith("household."):
            value = self.parent[name][self.gather]
        else:
            column = name[len(self.prefix):] if self.prefix and name.startswith(self.prefix) else name
            if column not in self.frame.columns:
                raise KeyError(name)
            value = column_array(self.frame[column], self.kinds[name])
        self.cache[name] = value
        return value

    def __setitem__(self, name: str, value: np.ndarray) -> None:
        self.cache[name] = value

    def __iter__(self):
        return iter(self.cache)

    def __len__(self) -> int:
        return len(self.cache)


@dataclass
class ProgramOutcome:
    program: Program
    eligible: np.ndarray | None  # per person; None when decided by the department
    enrolled: np.ndarray  # per person
    failed: dict[str, np.ndarray]  # condition id -> per-person bool (True = did not hold), in catalog order
    env: Mapping[str, Any]  # per-person attribute arrays (household.* gathered), for reason text
    params: Mapping[str, Any]  # parameters in force on D


def enrolled_matrix(persons: pd.DataFrame, enrollment: pd.DataFrame, codes: list[str]) -> np.ndarray:
    """Bool (n_persons, n_programs): on a current roster record."""
    out = np.zeros((len(persons), len(codes)), dtype=bool)
    if len(enrollment):
        rows = persons.index.get_indexer(enrollment["resident_id"])
        cols = pd.Index(codes).get_indexer(enrollment["program_code"])
        ok = (rows >= 0) & (cols >= 0)
        out[rows[ok], cols[ok]] = True
    return out


def evaluate_catalog(catalog: Catalog, attrs: Attributes, run_date: dt.date) -> Iterator[ProgramOutcome]:
    """Yield one outcome per program, in dependency order."""
    params = catalog.params_on(run_date)
    kinds = catalog.registry.kinds
    persons, households = attrs.persons, attrs.households
    n = len(persons)
    hh_pos = households.index.get_indexer(persons["household_id"])
    if (hh_pos < 0).any():
        raise ValueError("a resident's household is missing from the household attributes")
    hh_env = FrameEnv(households, kinds, prefix="household.")
    env = FrameEnv(persons, kinds, gather=hh_pos, parent=hh_env)
    codes = catalog.codes
    enrolled = enrolled_matrix(persons, attrs.enrollment, codes)
    for j, code in enumerate(codes):
        env[f"enrolled.{code}"] = enrolled[:, j]
    alive = ~column_array(persons["is_deceased"], "bool")
    member = column_array(persons["is_member"], "bool") if "is_member" in persons.columns else np.ones(n, bool)
    n_hh = len(households)
    for program in catalog.programs:
        j = codes.index(program.code)
        if not program.computed:
            yield ProgramOutcome(program, None, enrolled[:, j], {}, env, params)
            continue
        failed: dict[str, np.ndarray] = {}
        if program.unit == "household":
            ok_hh = np.ones(n_hh, dtype=bool)
            for cond in program.conditions:
                holds = cond.rule(hh_env, params, n_hh)
                ok_hh &= holds
                failed[cond.id] = ~holds[hh_pos]
            hh_env[f"eligible.{program.code}"] = ok_hh
            ok = ok_hh[hh_pos].copy()
            failed[MEMBER_CONDITION] = ~member
            ok &= member
        else:
            ok = np.ones(n, dtype=bool)
            for cond in program.conditions:
                holds = cond.rule(env, params, n)
                ok &= holds
                failed[cond.id] = ~holds
        if program.requires_alive:
            failed[ALIVE_CONDITION] = ~alive
            ok &= alive
        env[f"eligible.{program.code}"] = ok
        yield ProgramOutcome(program, ok, enrolled[:, j], failed, env, params)
