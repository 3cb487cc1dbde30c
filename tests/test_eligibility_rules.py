"""The rule language and the catalog checks made when programs.yaml is loaded."""

from __future__ import annotations

import copy
import datetime as dt

import numpy as np
import pytest

from rongjiu import schemas
from rongjiu.eligibility.catalog import CatalogError, build_catalog, load_catalog
from rongjiu.eligibility.rules import RuleError, compile_rule

KINDS = {"age": "number", "sex": "text", "is_registered": "bool", "household.size": "number",
         "disability_level": "number", "household.per_capita_income": "number"}
PARAMS = {"dibao_standard": 935, "factor": 1.5}
CODES = {"MZ_DB", "MZ_TK"}


def run(expr: str, env: dict, n: int = None) -> list[bool]:
    rule = compile_rule(expr, KINDS, PARAMS, CODES)
    n = n or len(next(iter(env.values())))
    return rule(env, PARAMS, n).tolist()


def arr(*values, kind="number"):
    if kind == "number":
        return np.array([np.nan if v is None else v for v in values], dtype=float)
    if kind == "text":
        return np.array(values, dtype=object)
    return np.array(values, dtype=bool)


# --- null semantics: a comparison with null is false


def test_comparison_with_null_is_false_and_not_of_it_is_true() -> None:
    env = {"age": arr(70, None, 30)}
    assert run("age > 60", env) == [True, False, False]
    assert run("age <= 60", env) == [False, False, True]
    assert run("age == 30", env) == [False, False, True]
    assert run("age != 30", env) == [True, False, False]
    assert run("not (age > 60)", env) == [False, True, True]


def test_text_null_and_membership() -> None:
    env = {"sex": arr("男", None, "女", kind="text")}
    assert run("sex == '女'", env) == [False, False, True]
    assert run("sex != '女'", env) == [True, False, False]
    assert run("sex in ('男', '女')", env) == [True, False, True]
    assert run("sex not in ('男',)", env) == [False, False, True]


def test_numeric_membership_and_arithmetic_with_params() -> None:
    env = {"disability_level": arr(1, 2, 3, None), "household.per_capita_income": arr(1400, 1402.5, 10, None)}
    assert run("disability_level in (1, 2)", env) == [True, True, False, False]
    assert run("disability_level not in (1, 2)", env) == [False, False, True, False]
    assert run("household.per_capita_income < param.dibao_standard * param.factor", env) == [True, False, True,
                                                                                              False]


def test_division_by_zero_is_unknown() -> None:
    env = {"age": arr(10, 10), "household.size": arr(0, 2)}
    assert run("age / household.size < 100", env) == [False, True]


def test_chained_comparison_and_boolean_operators() -> None:
    env = {"age": arr(15, 16, 59, 60), "is_registered": arr(True, True, False, True, kind="bool")}
    assert run("16 <= age < 60", env) == [False, True, True, False]
    assert run("is_registered and age >= 16 or age == 59", env) == [False, True, True, True]


def test_constant_rule_is_broadcast() -> None:
    assert run("param.dibao_standard > 900", {"age": arr(1, 2, 3)}) == [True, True, True]


def test_references_are_collected() -> None:
    rule = compile_rule("eligible.MZ_DB and not enrolled.MZ_TK and age > param.dibao_standard", KINDS, PARAMS, CODES)
    assert rule.eligible_refs == {"MZ_DB"}
    assert rule.enrolled_refs == {"MZ_TK"}
    assert rule.params == {"dibao_standard"}
    assert "age" in rule.attributes


@pytest.mark.parametrize(("expr", "message"), [
    ("__import__('os').system('true')", "not allowed"),
    ("age.__class__", "not allowed"),
    ("len(age) > 1", "Call is not allowed"),
    ("age ** 2 > 1", "not allowed"),
    ("age > ", "malformed"),
    ("[age][0] > 1", "not allowed"),
    ("lambda: 1", "not allowed"),
    ("age if is_registered else 0", "not allowed"),
    ("income > 5", "unknown attribute 'income'"),
    ("age > param.nope", "unknown parameter"),
    ("eligible.XX_YY", "unknown program"),
    ("age", "not a condition"),
    ("sex > 1", "cannot compare"),
    ("sex < '男'", "needs numbers"),
    ("age in (1, '2')", "cannot be compared"),
    ("age in age", "tuple"),
    ("is_registered + 1 > 0", "expected a number"),
    ("household.size.x > 1", "unknown attribute"),
    ("", "empty"),
])
def test_disallowed_or_malformed_expressions(expr: str, message: str) -> None:
    with pytest.raises(RuleError, match=message):
        compile_rule(expr, KINDS, PARAMS, CODES)


# --- the catalog


def test_shipped_catalog_loads_with_53_programs_in_dependency_order() -> None:
    catalog = load_catalog()
    assert len(catalog.programs) == 53
    assert len(set(catalog.codes)) == 53
    position = {c: i for i, c in enumerate(catalog.codes)}
    for p in catalog.programs:
        for ref in p.eligible_refs:
            assert position[ref] < position[p.code]
    assert position["MZ_DB"] < position["MZ_DBBY"] < position["MZ_ZCKN"]
    assert position["ZJ_LZBT"] < position["ZJ_ZLBT"]


def test_parameters_resolve_for_the_run_date() -> None:
    catalog = load_catalog()
    assert catalog.params_on(dt.date(2026, 6, 30))["dibao_standard"] == 900
    assert catalog.params_on(dt.date(2026, 7, 1))["dibao_standard"] == 935
    assert catalog.params_on(dt.date(2025, 12, 31))["spending_oop_threshold"] == 20000
    assert catalog.params_on(dt.date(2026, 1, 1))["spending_oop_threshold"] == 18000
    with pytest.raises(CatalogError, match="no value in force"):
        catalog.params_on(dt.date(2020, 1, 1))


def test_program_feeds_follow_attributes_and_references() -> None:
    catalog = load_catalog()
    assert {"SW.income", "RS.pensions", "GA.vehicles", "MZ.assistance_roster", "GA.deaths"} <= \
        catalog.program_feeds("MZ_DB")
    # RS_GYGW reads eligible.RS_JYKN, whose rule reads employment and disability
    assert {"RS.employment", "CL.disability_certs"} <= catalog.program_feeds("RS_GYGW")
    assert "YB.settlements" not in catalog.program_feeds("CL_HLBT")


def doc() -> dict:
    return copy.deepcopy(schemas.programs_document())


def program(d: dict, code: str) -> dict:
    return next(p for p in d["programs"] if p["code"] == code)


def test_cycle_is_rejected_naming_program_and_condition() -> None:
    d = doc()
    program(d, "MZ_DB")["eligible_when"].append({"id": "loop", "when": "not eligible.MZ_ZCKN", "reason": "x"})
    with pytest.raises(CatalogError, match=r"condition .*cycle .*MZ_DB"):
        build_catalog(d)


def test_self_reference_is_a_cycle() -> None:
    d = doc()
    program(d, "MZ_TK")["eligible_when"].append({"id": "self", "when": "eligible.MZ_TK", "reason": "x"})
    with pytest.raises(CatalogError, match="MZ_TK condition self: .*cycle"):
        build_catalog(d)


def test_unknown_attribute_is_rejected_naming_program_and_condition() -> None:
    d = doc()
    program(d, "MZ_GLBT")["eligible_when"][1]["when"] = "agee >= 80"
    with pytest.raises(CatalogError, match="MZ_GLBT condition age: unknown attribute 'agee'"):
        build_catalog(d)


def test_malformed_expression_is_rejected() -> None:
    d = doc()
    program(d, "CL_HLBT")["eligible_when"][0]["when"] = "disability_level in (1, 2"
    with pytest.raises(CatalogError, match="CL_HLBT condition severe: malformed"):
        build_catalog(d)


def test_function_call_is_rejected() -> None:
    d = doc()
    program(d, "CL_HLBT")["eligible_when"][0]["when"] = "__import__('os').getcwd() == 1"
    with pytest.raises(CatalogError, match="CL_HLBT condition severe"):
        build_catalog(d)


def test_household_rule_may_not_read_person_attributes() -> None:
    d = doc()
    program(d, "MZ_DB")["eligible_when"].append({"id": "age", "when": "age > 18", "reason": "x"})
    with pytest.raises(CatalogError, match="MZ_DB condition age: a household rule"):
        build_catalog(d)


def test_household_rule_may_not_read_person_program() -> None:
    d = doc()
    program(d, "MZ_DB")["eligible_when"].append({"id": "tk", "when": "not eligible.MZ_TK", "reason": "x"})
    with pytest.raises(CatalogError, match="MZ_DB condition tk: .*household programs"):
        build_catalog(d)


def test_reference_to_a_department_program_is_rejected() -> None:
    d = doc()
    program(d, "MZ_JGBT")["eligible_when"][0]["when"] = "eligible.RS_SYBX"
    with pytest.raises(CatalogError, match="MZ_JGBT condition group: .*decided by its department"):
        build_catalog(d)


def test_enrolled_in_a_program_without_roster_is_rejected() -> None:
    d = doc()
    program(d, "MZ_JGBT")["eligible_when"][0]["when"] = "enrolled.RS_LJY"
    with pytest.raises(CatalogError, match="MZ_JGBT condition group: .*no roster"):
        build_catalog(d)


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda d: program(d, "MZ_TK").update(code="MZ_DB"), "duplicate program codes"),
    (lambda d: program(d, "MZ_TK").update(unit="family"), "MZ_TK: unit"),
    (lambda d: program(d, "MZ_TK").update(roster={"feed": "MZ.nope"}), "MZ_TK: roster feed MZ.nope"),
    (lambda d: program(d, "RS_SYBX").update(eligible_when=[{"id": "a", "when": "age > 1", "reason": "x"}]),
     "RS_SYBX: a program determined by its department has no eligible_when"),
    (lambda d: program(d, "MZ_TK")["eligible_when"].append({"id": "capacity", "when": "age > 1", "reason": "x"}),
     "MZ_TK condition capacity: duplicate"),
    (lambda d: program(d, "MZ_TK")["eligible_when"][0].pop("reason"), "MZ_TK condition registered: no reason"),
    (lambda d: program(d, "MZ_TK").update(eligible_when=[]), "MZ_TK: eligible_when"),
    (lambda d: d["parameters"]["dibao_standard"].append({"from": "2026-13-01", "value": 1}), "not a date"),
    (lambda d: d["parameters"]["dibao_standard"].append({"from": "2026-07-01", "value": 1}), "same date"),
])
def test_catalog_shape_errors(mutate, message: str) -> None:
    d = doc()
    mutate(d)
    with pytest.raises(CatalogError, match=message):
        build_catalog(d)


def test_bureau_can_add_a_parameter_and_program_without_code_changes() -> None:
    d = doc()
    d["parameters"]["elder_age"] = [{"from": "2023-01-01", "value": 75}]
    d["programs"].append({"code": "MZ_NEW", "name_zh": "新项目", "department": "MZ", "category": "老年福利",
                          "unit": "person", "roster": None,
                          "eligible_when": [{"id": "age", "when": "age >= param.elder_age and eligible.MZ_GLBT",
                                             "reason": "年满75周岁"}]})
    catalog = build_catalog(d)
    assert "MZ_NEW" in catalog.codes and catalog.codes.index("MZ_GLBT") < catalog.codes.index("MZ_NEW")


@pytest.mark.slow
def test_a_million_residents_are_evaluated_well_within_a_minute() -> None:
    import time

    from rongjiu.eligibility.bench import synthetic_attributes
    from rongjiu.eligibility.pipeline import eligibility_table

    attrs = synthetic_attributes(1_000_000)
    start = time.process_time()
    table = eligibility_table(load_catalog(), attrs, dt.date(2026, 11, 29))
    cpu = time.process_time() - start
    assert len(table) > 0 and set(table["program_code"]) <= set(load_catalog().codes)
    assert cpu < 60, f"eligibility for 1M residents took {cpu:.1f} s of CPU"
