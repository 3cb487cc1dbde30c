"""The rule language of programs.yaml: parse, validate, compile to vectorised numpy.

An expression is parsed with Python's `ast` (mode "eval") and every node is checked
against a whitelist; nothing is ever passed to eval/exec. The compiled rule is a
tree of closures over numpy arrays, one element per person (or household).

Values inside the evaluator:
  number -> float64 array, NaN = null
  text   -> object array, None = null
  bool   -> bool array; an unknown boolean reads as false
Null semantics follow the spec literally: a comparison with null is false, so
`not (x > 5)` with x null is true, and arithmetic with null stays null.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

Kind = Literal["number", "text", "bool"]
# env: attribute name -> array; params: parameter name -> scalar in force on D
Evaluator = Callable[[Mapping[str, Any], Mapping[str, Any]], Any]

NAMESPACES = ("household", "enrolled", "eligible", "param")


class RuleError(ValueError):
    """An expression is malformed or uses something the language does not allow."""


@dataclass(frozen=True)
class Term:
    """One side of a simple comparison, for readable reasons."""

    kind: Literal["attr", "param", "const", "arith"]
    name: str = ""  # attribute or parameter name
    value: Any = None  # constant value
    node: ast.expr | None = None  # arith over params/constants only


@dataclass(frozen=True)
class CompiledRule:
    source: str
    kind: Kind
    evaluate: Evaluator = field(repr=False, compare=False)
    attributes: frozenset[str]  # attribute names incl. household.*, enrolled.X, eligible.X
    params: frozenset[str]
    # set when the rule is one comparison `L op R` of simple terms (reason text reads it)
    simple: tuple[Term, str, Term] | None = field(default=None, compare=False)

    @property
    def eligible_refs(self) -> frozenset[str]:
        return frozenset(a.split(".", 1)[1] for a in self.attributes if a.startswith("eligible."))

    @property
    def enrolled_refs(self) -> frozenset[str]:
        return frozenset(a.split(".", 1)[1] for a in self.attributes if a.startswith("enrolled."))

    def __call__(self, env: Mapping[str, Any], params: Mapping[str, Any], n: int) -> np.ndarray:
        """Evaluate to a bool array of length n (a constant result is broadcast)."""
        out = self.evaluate(env, params)
        if self.kind != "bool":
            raise RuleError(f"{self.source!r} is not a condition (true/false)")
        return _as_bool_array(out, n)


def _as_bool_array(value: Any, n: int) -> np.ndarray:
    if isinstance(value, np.ndarray):
        return value.astype(bool, copy=False)
    return np.full(n, bool(value))


_CMP_OPS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=",
            ast.In: "in", ast.NotIn: "not in"}
_ARITH_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}


def dotted_name(node: ast.expr) -> str | None:
    """`household.size` -> 'household.size'; None if the node is not a plain name chain."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def parse_expression(source: str) -> ast.expr:
    if not isinstance(source, str) or not source.strip():
        raise RuleError("empty expression")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise RuleError(f"malformed expression {source!r}: {exc.msg}") from None
    return tree.body


class _Compiler:
    def __init__(self, source: str, attribute_kinds: Mapping[str, Kind], params: Mapping[str, Any],
                 program_codes: frozenset[str]):
        self.source = source
        self.attribute_kinds = attribute_kinds
        self.param_names = params
        self.program_codes = program_codes
        self.attributes: set[str] = set()
        self.params: set[str] = set()

    def fail(self, node: ast.AST, msg: str) -> RuleError:
        col = getattr(node, "col_offset", None)
        where = f" at column {col + 1}" if col is not None else ""
        return RuleError(f"{msg}{where} in {self.source!r}")

    # Each visit returns (kind, evaluator); constants and params evaluate to scalars
    def visit(self, node: ast.expr) -> tuple[Kind, Evaluator]:
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name | ast.Attribute):
            return self.name(node)
        if isinstance(node, ast.BoolOp):
            return self.boolop(node)
        if isinstance(node, ast.UnaryOp):
            return self.unary(node)
        if isinstance(node, ast.BinOp):
            return self.binop(node)
        if isinstance(node, ast.Compare):
            return self.compare(node)
        if isinstance(node, ast.Tuple):
            raise self.fail(node, "a tuple is only allowed on the right of `in` / `not in`")
        raise self.fail(node, f"{type(node).__name__} is not allowed in the rule language")

    def constant(self, node: ast.Constant) -> tuple[Kind, Evaluator]:
        v = node.value
        if isinstance(v, bool):
            return "bool", lambda env, p: v
        if isinstance(v, int | float):
            fv = float(v)
            return "number", lambda env, p: fv
        if isinstance(v, str):
            return "text", lambda env, p: v
        raise self.fail(node, f"constant {v!r} is not a number or a string")

    def name(self, node: ast.expr) -> tuple[Kind, Evaluator]:
        name = dotted_name(node)
        if name is None:
            raise self.fail(node, "only attribute names like household.size may be used")
        if any(part.startswith("_") for part in name.split(".")):
            raise self.fail(node, f"name {name!r} is not allowed")
        head, _, rest = name.partition(".")
        if head == "param":
            if not rest or "." in rest:
                raise self.fail(node, f"malformed parameter reference {name!r}")
            if rest not in self.param_names:
                raise self.fail(node, f"unknown parameter {rest!r}")
            self.params.add(rest)
            value = self.param_names[rest]
            kind: Kind = "text" if isinstance(value, str) else "number"
            return kind, lambda env, p: p[rest]
        if head in ("enrolled", "eligible"):
            if not rest or "." in rest:
                raise self.fail(node, f"malformed reference {name!r}")
            if rest not in self.program_codes:
                raise self.fail(node, f"{head}.{rest} names an unknown program")
            self.attributes.add(name)
            return "bool", lambda env, p: env[name]
        kind_of = self.attribute_kinds.get(name)
        if kind_of is None:
            raise self.fail(node, f"unknown attribute {name!r}")
        self.attributes.add(name)
        return kind_of, lambda env, p: env[name]

    def expect(self, node: ast.expr, want: Kind) -> Evaluator:
        kind, fn = self.visit(node)
        if kind != want:
            raise self.fail(node, f"expected a {want} here, found a {kind} ({ast.unparse(node)})")
        return fn

    def boolop(self, node: ast.BoolOp) -> tuple[Kind, Evaluator]:
        fns = [self.expect(v, "bool") for v in node.values]
        if isinstance(node.op, ast.And):
            def and_(env, p):
                out = fns[0](env, p)
                for f in fns[1:]:
                    out = np.logical_and(out, f(env, p))
                return out
            return "bool", and_

        def or_(env, p):
            out = fns[0](env, p)
            for f in fns[1:]:
                out = np.logical_or(out, f(env, p))
            return out
        return "bool", or_

    def unary(self, node: ast.UnaryOp) -> tuple[Kind, Evaluator]:
        if isinstance(node.op, ast.Not):
            fn = self.expect(node.operand, "bool")
            return "bool", lambda env, p: np.logical_not(fn(env, p))
        if isinstance(node.op, ast.USub | ast.UAdd):
            fn = self.expect(node.operand, "number")
            if isinstance(node.op, ast.UAdd):
                return "number", fn
            return "number", lambda env, p: np.negative(fn(env, p))
        raise self.fail(node, f"operator {type(node.op).__name__} is not allowed")

    def binop(self, node: ast.BinOp) -> tuple[Kind, Evaluator]:
        op = _ARITH_OPS.get(type(node.op))
        if op is None:
            raise self.fail(node, f"operator {type(node.op).__name__} is not allowed (only + - * /)")
        left = self.expect(node.left, "number")
        right = self.expect(node.right, "number")
        ufunc = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide}[op]

        def arith(env, p):
            with np.errstate(divide="ignore", invalid="ignore"):
                out = ufunc(np.asarray(left(env, p), dtype=float), np.asarray(right(env, p), dtype=float))
            # x / 0 is unknown, not infinity
            out = np.where(np.isinf(out), np.nan, out)
            return out if out.ndim else float(out)
        return "number", arith

    def compare(self, node: ast.Compare) -> tuple[Kind, Evaluator]:
        parts: list[Evaluator] = []
        left_node = node.left
        for op_node, right_node in zip(node.ops, node.comparators, strict=True):
            op = _CMP_OPS.get(type(op_node))
            if op is None:
                raise self.fail(node, f"comparison {type(op_node).__name__} is not allowed")
            parts.append(self.one_comparison(left_node, op, right_node))
            left_node = right_node
        if len(parts) == 1:
            return "bool", parts[0]

        def chain(env, p):
            out = parts[0](env, p)
            for f in parts[1:]:
                out = np.logical_and(out, f(env, p))
            return out
        return "bool", chain

    def one_comparison(self, left_node: ast.expr, op: str, right_node: ast.expr) -> Evaluator:
        lkind, lfn = self.visit(left_node)
        if op in ("in", "not in"):
            if not isinstance(right_node, ast.Tuple) or not right_node.elts:
                raise self.fail(right_node, f"`{op}` needs a non-empty tuple of constants, e.g. ('较重', '严重')")
            values = []
            for elt in right_node.elts:
                if not isinstance(elt, ast.Constant) or isinstance(elt.value, bool):
                    raise self.fail(elt, "a tuple may hold only numbers or strings")
                ekind = "text" if isinstance(elt.value, str) else "number"
                if ekind != lkind or not isinstance(elt.value, str | int | float):
                    raise self.fail(elt, f"{elt.value!r} cannot be compared with a {lkind}")
                values.append(float(elt.value) if ekind == "number" else elt.value)
            negate = op == "not in"
            return lambda env, p: _member(lfn(env, p), values, lkind, negate)
        rkind, rfn = self.visit(right_node)
        if lkind != rkind:
            raise self.fail(right_node, f"cannot compare a {lkind} with a {rkind}")
        if lkind != "number" and op not in ("==", "!="):
            raise self.fail(right_node, f"`{op}` needs numbers")
        return lambda env, p: _compare(lfn(env, p), op, rfn(env, p), lkind)


def _is_null(value: Any, kind: Kind) -> Any:
    if kind == "number":
        return np.isnan(value) if isinstance(value, np.ndarray) else (value is None or math.isnan(value))
    if kind == "text":
        if isinstance(value, np.ndarray):
            return pd.isna(value)
        return value is None
    return np.zeros(np.shape(value), dtype=bool) if isinstance(value, np.ndarray) else False


def _compare(left: Any, op: str, right: Any, kind: Kind) -> Any:
    if op == "<":
        return np.less(left, right)
    if op == "<=":
        return np.less_equal(left, right)
    if op == ">":
        return np.greater(left, right)
    if op == ">=":
        return np.greater_equal(left, right)
    if kind == "text":
        eq = _text_equal(left, right)
    else:
        eq = np.equal(left, right)
    known = np.logical_not(np.logical_or(_is_null(left, kind), _is_null(right, kind)))
    if op == "==":
        return np.logical_and(eq, known)
    return np.logical_and(np.logical_not(eq), known)


def _text_equal(left: Any, right: Any) -> Any:
    if isinstance(left, np.ndarray) or isinstance(right, np.ndarray):
        return np.asarray(np.equal(left, right), dtype=bool)
    return left == right


def _member(left: Any, values: list[Any], kind: Kind, negate: bool) -> Any:
    if kind == "number":
        hit = np.isin(left, values) if isinstance(left, np.ndarray) else left in values
    else:
        hit = False
        for v in values:
            hit = np.logical_or(hit, _text_equal(left, v))
    if not negate:
        return hit
    return np.logical_and(np.logical_not(hit), np.logical_not(_is_null(left, kind)))


def _simple_term(node: ast.expr, compiler: _Compiler) -> Term | None:
    if isinstance(node, ast.Constant):
        return Term("const", value=node.value)
    name = dotted_name(node) if isinstance(node, ast.Name | ast.Attribute) else None
    if name is not None:
        if name.startswith("param."):
            return Term("param", name=name[6:])
        return Term("attr", name=name)
    if isinstance(node, ast.BinOp | ast.UnaryOp) and _params_only(node):
        # arithmetic over parameters and constants only: shown as a computed threshold
        return Term("arith", node=node)
    return None


def _params_only(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Name | ast.Attribute):
        return (dotted_name(node) or "").startswith("param.")
    if isinstance(node, ast.UnaryOp):
        return _params_only(node.operand)
    if isinstance(node, ast.BinOp):
        return _params_only(node.left) and _params_only(node.right)
    return False


def compile_rule(source: str, attribute_kinds: Mapping[str, Kind], params: Mapping[str, Any],
                 program_codes: frozenset[str] | set[str]) -> CompiledRule:
    """Parse, validate and compile one `when` expression. Raises RuleError."""
    node = parse_expression(source)
    compiler = _Compiler(source, attribute_kinds, params, frozenset(program_codes))
    kind, fn = compiler.visit(node)
    if kind != "bool":
        raise RuleError(f"{source!r} is a {kind}, not a condition (true/false)")
    simple = None
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and not isinstance(node.ops[0], ast.In | ast.NotIn):
        left, right = _simple_term(node.left, compiler), _simple_term(node.comparators[0], compiler)
        if left is not None and right is not None:
            simple = (left, _CMP_OPS[type(node.ops[0])], right)
    return CompiledRule(source=source, kind=kind, evaluate=fn, attributes=frozenset(compiler.attributes),
                        params=frozenset(compiler.params), simple=simple)


def evaluate_arith(node: ast.expr, params: Mapping[str, Any]) -> float:
    """Value of a parameter/constant expression (validated by compile_rule before)."""
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Attribute | ast.Name):
        return float(params[dotted_name(node).removeprefix("param.")])
    if isinstance(node, ast.UnaryOp):
        v = evaluate_arith(node.operand, params)
        return -v if isinstance(node.op, ast.USub) else v
    assert isinstance(node, ast.BinOp)
    a, b = evaluate_arith(node.left, params), evaluate_arith(node.right, params)
    op = _ARITH_OPS[type(node.op)]
    if op == "/":
        return a / b if b else math.nan
    return {"+": a + b, "-": a - b, "*": a * b}[op]
