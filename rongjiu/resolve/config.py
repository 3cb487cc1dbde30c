"""Matching configuration as data: load and validate a profile of rongjiu/schemas/matching.yaml.

Validation happens at load time so a typo in the profile fails before any data is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

LEVEL_METHODS = {"exact", "levenshtein", "damerau", "jaro_winkler", "prefix", "date_near", "pinyin", "abs_diff",
                 "rel_diff"}
FEED_COLUMN_KINDS = {"number", "text"}


class MatchingConfigError(ValueError):
    """The matching profile is malformed."""


@dataclass(frozen=True)
class Level:
    label: str
    method: str
    max: float | None = None
    min: float | None = None
    n: int | None = None
    column: str | None = None  # test this level on another column than the comparison's


@dataclass(frozen=True)
class Comparison:
    name: str
    column: str
    levels: tuple[Level, ...]  # tested in order; the implicit last level is "else"
    # where m comes from when the data has anchors: "labelled" = pairs of records sharing an
    # anchor (exact ID); "em" = estimated by EM with the labelled ones held fixed (for what
    # anchored pairs cannot show, e.g. the damaged ID digits). Without anchors every m is EM's.
    m_from: str = "labelled"
    name_zh: str = ""  # how staff read the field in review evidence (e.g. 月工资)

    @property
    def n_levels(self) -> int:
        return len(self.levels) + 1


@dataclass(frozen=True)
class FeedField:
    """Where one feed keeps a feed column: its staged field, on the rows matching `where`."""

    field: str
    where: tuple[tuple[str, str], ...] = ()  # (field, value): only rows holding these values


@dataclass(frozen=True)
class FeedColumn:
    """A matching column that feeds name differently (the wage: 月工资收入, 缴存基数, 工资薪金 income)."""

    name: str
    kind: str  # number | text
    sources: tuple[tuple[str, FeedField], ...]  # ("DEPT.feed", where it is kept)

    def source(self, feed_key: str) -> FeedField | None:
        return dict(self.sources).get(feed_key)


PROFILE_BUCKETS = ("value", "known")
SUBSOURCE = "subsource"  # the prepared column that splits a source (context subsources)


@dataclass(frozen=True)
class ProfileColumn:
    """A column that profiles a candidate for the source context.

    bucket "value": the value itself (a date by its decade); "known": only whether the
    candidate's records hold the column at all (a person with no community on record).
    """

    column: str
    bucket: str = "value"


@dataclass(frozen=True)
class BlockingRule:
    name: str
    on: tuple[str, ...]
    max_block_size: int | None = None  # overrides the profile's cap for this rule
    # only records holding these columns take part (their values need not agree): a person's
    # record that carries the wage stands for them, not the richest record without it
    require: tuple[str, ...] = ()


@dataclass(frozen=True)
class MatchingConfig:
    comparisons: tuple[Comparison, ...]
    blocking: tuple[BlockingRule, ...]
    anchor: str | None = None
    max_block_size: int = 300
    tf_adjust: tuple[str, ...] = ()
    link_only_column: str | None = None  # linkage: only pairs whose values here differ
    em_max_iterations: int = 30
    em_tolerance: float = 1e-5
    u_random_pairs: int = 300_000
    seed: int = 1
    accept: float = 0.995
    review: float = 0.5
    ambiguity_log2: float = 6.0
    # source context (see matching.yaml): columns naming a record's source, and its slot column
    context_source: tuple[str, ...] = ()
    context_slot: str | None = None
    # columns whose values (dates by decade), or whose presence, profile a candidate
    context_profile: tuple[ProfileColumn, ...] = ()
    # per source, the record columns that make its slot (prepared into context_slot)
    slots: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False, compare=False)
    # per source, the record columns that split it into finer sources (prepared into SUBSOURCE)
    subsources: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False, compare=False)
    feed_columns: tuple[FeedColumn, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def columns(self) -> set[str]:
        cols = {c.column for c in self.comparisons} | {c for r in self.blocking for c in r.on + r.require}
        cols |= {lv.column for c in self.comparisons for lv in c.levels if lv.column}
        if self.anchor:
            cols.add(self.anchor)
        if self.link_only_column:
            cols.add(self.link_only_column)
        cols |= set(self.context_source) | {p.column for p in self.context_profile}
        if self.context_slot:
            cols.add(self.context_slot)
        if self.subsources:
            cols.add(SUBSOURCE)
        return cols

    @property
    def staged_fields(self) -> set[str]:
        """Staged fields the slots, subsources and feed columns read (beyond the identity fields)."""
        out = {c for cols in [*self.slots.values(), *self.subsources.values()] for c in cols}
        for fc in self.feed_columns:
            for _, src in fc.sources:
                out |= {src.field} | {f for f, _ in src.where}
        return out


def _feed_columns(doc: dict[str, Any], where: str) -> tuple[FeedColumn, ...]:
    out = []
    for name, spec in (doc.get("feed_columns", {}) or {}).items():
        kind = str(spec.get("kind", "text"))
        if kind not in FEED_COLUMN_KINDS:
            raise MatchingConfigError(f"{where}: feed column {name!r}: kind must be number or text")
        sources = []
        for feed_key, src in (spec.get("from", {}) or {}).items():
            if "." not in str(feed_key) or not isinstance(src, dict) or not src.get("field"):
                raise MatchingConfigError(f"{where}: feed column {name!r}: {feed_key!r} needs DEPT.feed: {{field: ...}}")
            cond = tuple((str(k), str(v)) for k, v in (src.get("where", {}) or {}).items())
            sources.append((str(feed_key), FeedField(field=str(src["field"]), where=cond)))
        if not sources:
            raise MatchingConfigError(f"{where}: feed column {name!r} names no feed")
        out.append(FeedColumn(name=str(name), kind=kind, sources=tuple(sources)))
    return tuple(out)


def _default_label(level: dict[str, Any]) -> str:
    """A level without a label is named by its test, e.g. jaro_winkler>=0.9, damerau<=1, prefix:6."""
    if level.get("min") is not None:
        return f"{level['method']}>={level['min']}"
    if level.get("max") is not None:
        return f"{level['method']}<={level['max']}"
    return f"{level['method']}:{level['n']}" if level.get("n") else str(level["method"])


def parse_profile(doc: dict[str, Any], where: str = "profile") -> MatchingConfig:
    """Build a MatchingConfig from a dict shaped like a matching.yaml profile."""
    try:
        comparisons = []
        for c in doc["comparisons"]:
            levels = []
            for lv in c["levels"]:
                if lv.get("method") not in LEVEL_METHODS:
                    raise MatchingConfigError(f"{where}: comparison {c.get('name')!r}: unknown method {lv.get('method')!r}")
                if lv["method"] in {"levenshtein", "damerau", "abs_diff", "rel_diff"} and lv.get("max") is None:
                    raise MatchingConfigError(f"{where}: {c['name']}: method {lv['method']} needs max")
                if lv["method"] == "jaro_winkler" and lv.get("min") is None:
                    raise MatchingConfigError(f"{where}: {c['name']}: jaro_winkler needs min")
                if lv["method"] == "prefix" and not lv.get("n"):
                    raise MatchingConfigError(f"{where}: {c['name']}: prefix needs n")
                levels.append(Level(label=str(lv.get("label") or _default_label(lv)), method=lv["method"],
                                    max=lv.get("max"), min=lv.get("min"), n=lv.get("n"),
                                    column=lv.get("column")))
            if not levels:
                raise MatchingConfigError(f"{where}: comparison {c.get('name')!r} has no levels")
            m_from = str(c.get("m_from", "labelled"))
            if m_from not in {"labelled", "em"}:
                raise MatchingConfigError(f"{where}: {c['name']}: m_from must be labelled or em")
            comparisons.append(Comparison(name=str(c["name"]), column=str(c.get("column", c["name"])),
                                          levels=tuple(levels), m_from=m_from,
                                          name_zh=str(c.get("name_zh") or c["name"])))
        blocking = tuple(BlockingRule(name=str(r.get("name", "+".join(r["columns"]))), on=tuple(r["columns"]),
                                      max_block_size=r.get("max_block_size"), require=tuple(r.get("require", ())))
                         for r in doc["blocking"])
        if not blocking:
            raise MatchingConfigError(f"{where}: no blocking rules")
        names = {c.name for c in comparisons}
        for t in doc.get("tf_adjust", []) or []:
            if t not in names:
                raise MatchingConfigError(f"{where}: tf_adjust names unknown comparison {t!r}")
        ctx = doc.get("context", {}) or {}
        context_source = tuple(ctx.get("source", ()) or ())
        if ctx and not context_source:
            raise MatchingConfigError(f"{where}: context needs source (the columns naming a record's source)")
        slots = {str(k): tuple(v) for k, v in (ctx.get("slots", {}) or {}).items()}
        if any(not v for v in slots.values()):
            raise MatchingConfigError(f"{where}: context slots need at least one column per source")
        subsources = {str(k): tuple(v) for k, v in (ctx.get("subsources", {}) or {}).items()}
        if any(not v for v in subsources.values()):
            raise MatchingConfigError(f"{where}: context subsources need at least one column per source")
        em = doc.get("em", {}) or {}
        th = doc.get("thresholds", {}) or {}
        cfg = MatchingConfig(
            comparisons=tuple(comparisons), blocking=blocking, anchor=doc.get("anchor"),
            max_block_size=int(doc.get("max_block_size", 300)), tf_adjust=tuple(doc.get("tf_adjust", []) or []),
            link_only_column=doc.get("link_only_column"),
            em_max_iterations=int(em.get("max_iterations", 30)), em_tolerance=float(em.get("tolerance", 1e-5)),
            u_random_pairs=int(em.get("u_random_pairs", 300_000)), seed=int(em.get("seed", 1)),
            accept=float(th.get("accept", 0.995)), review=float(th.get("review", 0.5)),
            ambiguity_log2=float(th.get("ambiguity_log2", 6.0)),
            context_source=context_source, context_slot=ctx.get("slot"), slots=slots, subsources=subsources,
            context_profile=_profile_columns(ctx.get("profile", ()) or (), where),
            feed_columns=_feed_columns(doc, where),
        )
    except KeyError as exc:
        raise MatchingConfigError(f"{where}: missing key {exc}") from exc
    if not 0 < cfg.review <= cfg.accept < 1:
        raise MatchingConfigError(f"{where}: thresholds need 0 < review <= accept < 1")
    return cfg


def _profile_columns(entries: list, where: str) -> tuple[ProfileColumn, ...]:
    """`profile:` entries: a column name, or {column: NAME, bucket: value|known}."""
    out = []
    for e in entries:
        p = ProfileColumn(column=str(e)) if isinstance(e, str) else \
            ProfileColumn(column=str(e["column"]), bucket=str(e.get("bucket", "value")))
        if p.bucket not in PROFILE_BUCKETS:
            raise MatchingConfigError(f"{where}: context profile bucket {p.bucket!r} is not one of {PROFILE_BUCKETS}")
        out.append(p)
    return tuple(out)


@cache
def matching_document() -> dict[str, Any]:
    text = resources.files("rongjiu.schemas").joinpath("matching.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@cache
def load_matching_config(profile: str = "residents") -> MatchingConfig:
    doc = matching_document()
    if profile not in doc:
        raise MatchingConfigError(f"matching.yaml has no profile {profile!r}")
    return parse_profile(doc[profile], where=f"matching.yaml {profile}")


def golden_source_priority() -> tuple[str, ...]:
    return tuple((matching_document().get("golden") or {}).get("source_priority", ()))
