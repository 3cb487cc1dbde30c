"""The program catalog (schemas/programs.yaml) as validated, compiled data.

Everything that can be wrong with the catalog is found here, when it is loaded:
an unknown attribute, parameter or program, a malformed expression, a cycle in
eligible.X references, a household rule reading person attributes, a roster feed
that does not exist. Errors name the program and the condition.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from rongjiu import schemas
from rongjiu.eligibility.rules import CompiledRule, Kind, RuleError, compile_rule

UNITS = ("person", "household")
ALIVE_CONDITION = "alive"  # implicit: every computed program requires is_deceased false
MEMBER_CONDITION = "member"  # implicit for household programs: a member of the household


class CatalogError(ValueError):
    """programs.yaml (or attributes.yaml) is inconsistent; raised at load, never mid-run."""


@dataclass(frozen=True)
class AttributeDef:
    name: str
    kind: Kind
    label_zh: str
    unit: str
    feeds: tuple[str, ...]
    uses: tuple[str, ...]


@dataclass(frozen=True)
class AttributeRegistry:
    attributes: Mapping[str, AttributeDef]
    param_labels: Mapping[str, tuple[str, str]]  # name -> (label_zh, unit)

    @property
    def kinds(self) -> dict[str, Kind]:
        return {n: a.kind for n, a in self.attributes.items()}

    def person_names(self) -> list[str]:
        return [n for n in self.attributes if not n.startswith("household.")]

    def household_names(self) -> list[str]:
        return [n for n in self.attributes if n.startswith("household.")]


@cache
def load_attribute_registry() -> AttributeRegistry:
    text = resources.files(schemas).joinpath("attributes.yaml").read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    attrs: dict[str, AttributeDef] = {}
    for section in ("person", "household"):
        for name, d in doc[section].items():
            if d.get("type") not in ("number", "text", "bool"):
                raise CatalogError(f"attributes.yaml {name}: unknown type {d.get('type')!r}")
            attrs[name] = AttributeDef(name=name, kind=d["type"], label_zh=d.get("label_zh", name),
                                       unit=d.get("unit", ""), feeds=tuple(d.get("feeds", ())),
                                       uses=tuple(d.get("uses", ())))
    params = {n: (d.get("label_zh", n), d.get("unit", "")) for n, d in (doc.get("parameters") or {}).items()}
    return AttributeRegistry(attributes=attrs, param_labels=params)


@dataclass(frozen=True)
class Parameter:
    name: str
    schedule: tuple[tuple[dt.date, Any], ...]  # sorted by date

    def value_on(self, day: dt.date) -> Any:
        """The value in force on `day`: the latest `from` <= day."""
        chosen = None
        for start, value in self.schedule:
            if start <= day:
                chosen = value
        if chosen is None:
            raise CatalogError(f"parameter {self.name} has no value in force on {day.isoformat()} "
                               f"(first from {self.schedule[0][0].isoformat()})")
        return chosen


@dataclass(frozen=True)
class Condition:
    id: str
    when: str
    reason_zh: str
    rule: CompiledRule


@dataclass(frozen=True)
class Program:
    code: str
    name_zh: str
    department: str
    category: str
    unit: str
    determined_by: str | None
    roster_feed: str | None
    roster_names: tuple[str, ...]
    conditions: tuple[Condition, ...]
    position: int = 0  # place in programs.yaml (the catalog itself is in dependency order)

    @property
    def computed(self) -> bool:
        """False for programs decided by their department alone (no rule)."""
        return self.determined_by != "department"

    @property
    def requires_alive(self) -> bool:
        return self.computed and not any("is_deceased" in c.rule.attributes for c in self.conditions)

    @property
    def eligible_refs(self) -> frozenset[str]:
        return frozenset().union(*(c.rule.eligible_refs for c in self.conditions))


@dataclass(frozen=True)
class Catalog:
    parameters: Mapping[str, Parameter]
    programs: tuple[Program, ...]  # in dependency order: a program after every eligible.X it reads
    registry: AttributeRegistry

    def program(self, code: str) -> Program:
        for p in self.programs:
            if p.code == code:
                return p
        raise KeyError(code)

    @property
    def codes(self) -> list[str]:
        return [p.code for p in self.programs]

    def params_on(self, day: dt.date) -> dict[str, Any]:
        return {name: p.value_on(day) for name, p in self.parameters.items()}

    def attribute_feeds(self, name: str, _seen: frozenset[str] = frozenset()) -> frozenset[str]:
        """Feeds an attribute is computed from, following `uses` and enrolled.X -> roster."""
        if name in _seen:
            return frozenset()
        seen = _seen | {name}
        if name.startswith("enrolled."):
            feed = self.program(name.split(".", 1)[1]).roster_feed
            return frozenset([feed]) if feed else frozenset()
        if name.startswith("eligible."):
            return self.program_feeds(name.split(".", 1)[1], seen)
        a = self.registry.attributes[name]
        out = set(a.feeds)
        for used in a.uses:
            out |= self.attribute_feeds(used, seen)
        return frozenset(out)

    def program_feeds(self, code: str, _seen: frozenset[str] = frozenset()) -> frozenset[str]:
        """Every feed the program's status depends on: its rule's attributes and its roster."""
        p = self.program(code)
        out: set[str] = {p.roster_feed} if p.roster_feed else set()
        names: set[str] = set().union(*(c.rule.attributes for c in p.conditions)) if p.conditions else set()
        if p.requires_alive:
            names.add("is_deceased")
        for n in names:
            out |= self.attribute_feeds(n, _seen | {f"eligible.{code}"})
        return frozenset(out)


def _as_date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise CatalogError(f"{where}: `from` {value!r} is not a date (YYYY-MM-DD)") from None


def load_parameters(doc: Mapping[str, Any], source: str = "programs.yaml") -> dict[str, Parameter]:
    """The effective-dated `parameters:` section of a schema document (programs.yaml, monitoring.yaml)."""
    out: dict[str, Parameter] = {}
    for name, entries in (doc.get("parameters") or {}).items():
        where = f"{source} parameter {name}"
        if not isinstance(entries, list) or not entries:
            raise CatalogError(f"{where}: expected a list of {{from, value}}")
        sched = []
        for e in entries:
            if not isinstance(e, dict) or "from" not in e or "value" not in e:
                raise CatalogError(f"{where}: each entry needs `from` and `value`")
            if isinstance(e["value"], bool) or not isinstance(e["value"], int | float | str):
                raise CatalogError(f"{where}: value {e['value']!r} is not a number or text")
            sched.append((_as_date(e["from"], where), e["value"]))
        sched.sort(key=lambda t: t[0])
        if len({d for d, _ in sched}) != len(sched):
            raise CatalogError(f"{where}: two values take effect on the same date")
        out[name] = Parameter(name=name, schedule=tuple(sched))
    return out


def _topological(programs: dict[str, Program]) -> list[Program]:
    order: list[Program] = []
    state: dict[str, int] = {}  # 1 = visiting, 2 = done

    def visit(code: str, path: list[str]) -> None:
        if state.get(code) == 2:
            return
        if state.get(code) == 1:
            cycle = path[path.index(code):] + [code]
            prog = programs[path[-1]]
            cond = next(c.id for c in prog.conditions if code in c.rule.eligible_refs)
            raise CatalogError(f"programs.yaml {prog.code} condition {cond}: eligible.X references form a cycle "
                               f"({' -> '.join(cycle)})")
        state[code] = 1
        for ref in sorted(programs[code].eligible_refs):
            visit(ref, path + [code])
        state[code] = 2
        order.append(programs[code])

    for code in programs:
        visit(code, [])
    return order


def build_catalog(doc: Mapping[str, Any], registry: AttributeRegistry | None = None,
                  feed_keys: frozenset[str] | None = None) -> Catalog:
    """Validate and compile a programs document. Raises CatalogError."""
    registry = registry or load_attribute_registry()
    if feed_keys is None:
        feed_keys = frozenset(s.key for s in schemas.load_feed_specs())
    params = load_parameters(doc)
    # a representative value per parameter tells the compiler its type
    param_samples = {n: p.schedule[-1][1] for n, p in params.items()}
    raw = doc.get("programs")
    if not isinstance(raw, list) or not raw:
        raise CatalogError("programs.yaml: no programs")
    codes: list[str] = []
    for i, p in enumerate(raw):
        if not isinstance(p, dict) or not p.get("code"):
            raise CatalogError(f"programs.yaml program #{i + 1}: no code")
        codes.append(str(p["code"]))
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes:
        raise CatalogError(f"programs.yaml: duplicate program codes {dupes}")
    code_set = frozenset(codes)
    units = {str(p["code"]): p.get("unit") for p in raw}
    computed = {str(p["code"]): p.get("determined_by") != "department" for p in raw}
    has_roster = {str(p["code"]): bool(p.get("roster")) for p in raw}
    kinds = registry.kinds

    programs: dict[str, Program] = {}
    for position, p in enumerate(raw):
        code = str(p["code"])
        where = f"programs.yaml {code}"
        for key in ("name_zh", "department", "category"):
            if not p.get(key):
                raise CatalogError(f"{where}: missing {key}")
        unit = p.get("unit")
        if unit not in UNITS:
            raise CatalogError(f"{where}: unit {unit!r} is not person or household")
        determined_by = p.get("determined_by")
        if determined_by not in (None, "department"):
            raise CatalogError(f"{where}: determined_by {determined_by!r} is not 'department'")
        roster = p.get("roster")
        roster_feed, roster_names = None, ()
        if roster is not None:
            if not isinstance(roster, dict) or not roster.get("feed"):
                raise CatalogError(f"{where}: roster needs a feed")
            roster_feed = str(roster["feed"])
            if roster_feed not in feed_keys:
                raise CatalogError(f"{where}: roster feed {roster_feed} is not in feeds.yaml")
            roster_names = tuple(str(n).strip() for n in roster.get("roster_names") or ())
        rules = p.get("eligible_when")
        if determined_by == "department":
            if rules:
                raise CatalogError(f"{where}: a program determined by its department has no eligible_when")
            if roster_feed is None:
                raise CatalogError(f"{where}: a program determined by its department needs a roster")
            rules = []
        elif not isinstance(rules, list) or not rules:
            raise CatalogError(f"{where}: eligible_when must list at least one condition")
        conditions: list[Condition] = []
        for j, c in enumerate(rules):
            cid = c.get("id") if isinstance(c, dict) else None
            cwhere = f"{where} condition {cid or '#' + str(j + 1)}"
            if not cid:
                raise CatalogError(f"{cwhere}: no id")
            if cid in (x.id for x in conditions) or cid in (ALIVE_CONDITION, MEMBER_CONDITION):
                raise CatalogError(f"{cwhere}: duplicate or reserved condition id")
            if not c.get("reason"):
                raise CatalogError(f"{cwhere}: no reason")
            try:
                rule = compile_rule(str(c.get("when", "")), kinds, param_samples, code_set)
            except RuleError as exc:
                raise CatalogError(f"{cwhere}: {exc}") from None
            for ref in rule.eligible_refs:
                if not computed[ref]:
                    raise CatalogError(f"{cwhere}: eligible.{ref} is decided by its department and has no rule")
                if unit == "household" and units[ref] != "household":
                    raise CatalogError(f"{cwhere}: a household rule may only use eligible.X of household "
                                       f"programs ({ref} is per person)")
            for ref in rule.enrolled_refs:
                if not has_roster[ref]:
                    raise CatalogError(f"{cwhere}: enrolled.{ref} cannot be known, {ref} has no roster")
            if unit == "household":
                bad = sorted(a for a in rule.attributes
                             if not a.startswith("household.") and not a.startswith("eligible."))
                if bad:
                    raise CatalogError(f"{cwhere}: a household rule may only use household.* attributes, "
                                       f"param.* and eligible.X (found {', '.join(bad)})")
            conditions.append(Condition(id=str(cid), when=rule.source, reason_zh=str(c["reason"]), rule=rule))
        programs[code] = Program(code=code, name_zh=str(p["name_zh"]), department=str(p["department"]),
                                 category=str(p["category"]), unit=unit, determined_by=determined_by,
                                 roster_feed=roster_feed, roster_names=roster_names,
                                 conditions=tuple(conditions), position=position)
    return Catalog(parameters=params, programs=tuple(_topological(programs)), registry=registry)


@cache
def load_catalog() -> Catalog:
    """The catalog shipped in rongjiu/schemas/programs.yaml, validated and compiled."""
    return build_catalog(schemas.programs_document())
