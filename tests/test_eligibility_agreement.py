import pandas as pd
import pytest

from rongjiu.eligibility.agreement import eligibility_agreement, resident_to_person


def _xw(rows):
    return pd.DataFrame(rows, columns=["department", "feed", "record_id", "resident_id"])


def _truth(rows):
    return pd.DataFrame(rows, columns=["department", "feed", "record_id", "person_key"])


def test_resident_maps_to_the_person_with_most_records():
    xw = _xw([("GA", "hukou", "1", "R1"), ("RS", "pensions", "2", "R1"), ("SW", "income", "3", "R1")])
    truth = _truth([("GA", "hukou", "1", "P1"), ("RS", "pensions", "2", "P1"), ("SW", "income", "3", "P2")])
    assert resident_to_person(xw, truth).to_dict() == {"R1": "P1"}


def test_agreement_counts_eligible_and_enrolled_disagreements_over_all_persons():
    xw = _xw([("GA", "hukou", "1", "R1"), ("GA", "hukou", "2", "R2")])
    truth = _truth([("GA", "hukou", "1", "P1"), ("GA", "hukou", "2", "P2")])
    truth_elig = pd.DataFrame({"person_key": ["P1", "P2"], "program_code": ["MZ_DB", "MZ_DB"],
                               "eligible": [True, True], "enrolled": [True, False]})
    ours = pd.DataFrame({"resident_id": ["R1"], "program_code": ["MZ_DB"],
                         "eligible": [True], "enrolled": [False]})
    out = eligibility_agreement(ours, xw, truth, truth_elig, persons=4).set_index("program_code")
    # P1: enrolled differs; P2: eligible differs -> 2 of 4 persons disagree
    assert out.loc["MZ_DB", "rows_diff"] == 2
    assert out.loc["MZ_DB", "agreement"] == pytest.approx(0.5)
