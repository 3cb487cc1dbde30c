"""Chinese text a caseworker can read: which conditions failed, with the values.

e.g. `household.per_capita_income < param.dibao_standard` failing reads
"家庭人均月收入1020元，不低于低保标准935元". Built vectorised over the rows that
failed (object arrays of str), never by formatting records one at a time in Python.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from rongjiu.eligibility.catalog import ALIVE_CONDITION, MEMBER_CONDITION, Catalog, Condition
from rongjiu.eligibility.rules import Kind, Term, dotted_name, evaluate_arith

# what a failed comparison means, phrased from the value side
NEGATION = {"<": "不低于", "<=": "高于", ">": "不高于", ">=": "低于"}
ARITH_SYMBOL = {ast.Add: "+", ast.Sub: "−", ast.Mult: "×", ast.Div: "÷"}
UNKNOWN = "不详"


def format_numbers(values: np.ndarray) -> np.ndarray:
    s = pd.Series(np.asarray(values, dtype="float64")).round(2)
    text = s.astype(str).str.replace(r"\.0+$", "", regex=True)
    return text.where(s.notna(), UNKNOWN).to_numpy(dtype=object)


def format_number(value: float) -> str:
    return str(format_numbers(np.array([value]))[0])


def format_values(values: np.ndarray, kind: Kind, unit: str = "") -> np.ndarray:
    values = np.asarray(values)
    if kind == "number":
        text = format_numbers(values)
        known = ~np.isnan(values.astype("float64"))
        # an unknown amount is 不详; a missing count or day figure means there is no record
        return np.where(known, text + unit, UNKNOWN if unit == "元" else "无").astype(object)
    if kind == "bool":
        return np.where(values.astype(bool), "是", "否").astype(object)
    return np.where(pd.isna(values), "无", values.astype(object)).astype(object)


def _is_null(values: np.ndarray, kind: Kind) -> np.ndarray:
    if kind == "number":
        return np.isnan(np.asarray(values, dtype="float64"))
    if kind == "text":
        return np.asarray(pd.isna(values), dtype=bool)
    return np.zeros(len(values), dtype=bool)


class Explainer:
    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.registry = catalog.registry

    def attribute_label(self, name: str) -> tuple[str, str, Kind]:
        if name.startswith("eligible."):
            code = name.split(".", 1)[1]
            return f"符合{self.catalog.program(code).name_zh}条件", "", "bool"
        if name.startswith("enrolled."):
            code = name.split(".", 1)[1]
            return f"已享受{self.catalog.program(code).name_zh}", "", "bool"
        a = self.registry.attributes[name]
        return a.label_zh, a.unit, a.kind

    def param_label(self, name: str) -> tuple[str, str]:
        return self.registry.param_labels.get(name, (name, ""))

    def render_arith(self, node: ast.expr, params: Mapping[str, Any]) -> str:
        if isinstance(node, ast.Constant):
            return format_number(float(node.value))
        if isinstance(node, ast.Name | ast.Attribute):
            pname = dotted_name(node).removeprefix("param.")
            label, unit = self.param_label(pname)
            return f"{label}{format_number(float(params[pname]))}{unit}"
        if isinstance(node, ast.UnaryOp):
            return "−" + self.render_arith(node.operand, params)
        assert isinstance(node, ast.BinOp)
        return (f"{self.render_arith(node.left, params)}{ARITH_SYMBOL[type(node.op)]}"
                f"{self.render_arith(node.right, params)}")

    def term(self, term: Term, rows: np.ndarray, env: Mapping[str, Any], params: Mapping[str, Any],
             unit_hint: str) -> tuple[np.ndarray | str, np.ndarray | bool, str, str]:
        """(text with label, is-null, bare value text, label) of one side of a comparison."""
        if term.kind == "attr":
            label, unit, kind = self.attribute_label(term.name)
            values = env[term.name][rows]
            bare = format_values(values, kind, unit)
            return label + bare, _is_null(values, kind), bare, label
        if term.kind == "param":
            label, unit = self.param_label(term.name)
            value = params[term.name]
            bare = (format_number(float(value)) + unit) if not isinstance(value, str) else f"“{value}”"
            return label + bare, False, bare, label
        if term.kind == "const":
            v = term.value
            bare = f"“{v}”" if isinstance(v, str) else ("是" if v is True else "否" if v is False
                                                      else format_number(float(v)) + unit_hint)
            return bare, False, bare, ""
        value = evaluate_arith(term.node, params)
        bare = f"{format_number(value)}{unit_hint}"
        return f"{bare}（{self.render_arith(term.node, params)}）", False, bare, ""

    def unit_of(self, term: Term) -> str:
        if term.kind == "attr":
            return self.attribute_label(term.name)[1]
        if term.kind == "param":
            return self.param_label(term.name)[1]
        return ""

    def condition(self, cond: Condition, rows: np.ndarray, env: Mapping[str, Any],
                  params: Mapping[str, Any]) -> np.ndarray:
        """Why `cond` did not hold, for each of `rows` (positions into env arrays)."""
        simple = cond.rule.simple
        if simple is not None:
            left, op, right = simple
            hint = self.unit_of(left) or self.unit_of(right)
            ltext, lnull, lbare, llabel = self.term(left, rows, env, params, hint)
            rtext, rnull, _, rlabel = self.term(right, rows, env, params, hint)
            if op in NEGATION:
                text = np.asarray(ltext + "，" + NEGATION[op] + rtext if isinstance(ltext, str)
                                  else ltext + ("，" + NEGATION[op] + rtext), dtype=object)
            else:
                want = "为" if op == "==" else "不为"
                prefix = (llabel + "为") if llabel else ""
                text = np.asarray(prefix + lbare + f"（要求{want}" + rtext + "）", dtype=object)
            null_text = self.null_text(left if np.any(lnull) else right, cond)
            null = np.logical_or(lnull, rnull)
            return np.where(np.broadcast_to(null, text.shape), null_text, text).astype(object)
        parts: list[np.ndarray] = []
        for name in sorted(cond.rule.attributes):
            label, unit, kind = self.attribute_label(name)
            sep = "" if kind == "number" else "："
            parts.append(label + sep + format_values(env[name][rows], kind, unit))
        for pname in sorted(cond.rule.params):
            label, unit = self.param_label(pname)
            parts.append(np.full(len(rows), f"{label}{format_number(float(params[pname]))}{unit}", dtype=object))
        detail = parts[0] if parts else np.full(len(rows), "", dtype=object)
        for p in parts[1:]:
            detail = detail + "，" + p
        return (f"未满足“{cond.reason_zh}”（" + detail + "）").astype(object)

    def null_text(self, term: Term, cond: Condition) -> str:
        """A comparison with null is false: say whether the value is unknown or there is no record."""
        label, unit = ("相关数据", "")
        if term.kind == "attr":
            label, unit, _ = self.attribute_label(term.name)
        if unit == "元":
            return f"{label}{UNKNOWN}（有记录但金额为空），无法确认：{cond.reason_zh}"
        return f"无{label}记录，不满足：{cond.reason_zh}"

    def implicit(self, cond_id: str, rows: np.ndarray, env: Mapping[str, Any]) -> np.ndarray:
        if cond_id == ALIVE_CONDITION:
            days = env["days_since_death"][rows]
            known = ~np.isnan(days)
            return np.where(known, "本人已死亡（" + format_numbers(days) + "天前）", "本人已死亡").astype(object)
        if cond_id == MEMBER_CONDITION:
            return np.full(len(rows), "不是该户在册成员（已迁出或死亡），不享受以户为单位的待遇", dtype=object)
        raise KeyError(cond_id)
