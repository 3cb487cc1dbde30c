"""Generator settings: sizes, rates and the drop calendar, all in one place."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

# Shares of the population (or of a sub-group, as named) that carry each feature.
VOLUMES: dict[str, float] = {
    "registered_elsewhere": 0.06,   # residents with no Beilin hukou record who show up in other feeds
    "moved_out": 0.03,              # hukou 人员状态 = 迁出
    "death_rate_per_year": 0.007,   # deaths over the last 3 years stay in hukou / deaths
    "household_dibao": 0.02,        # households whose per-capita income is below the dibao standard
    "household_margin": 0.02,       # 1x .. 1.5x the standard
    "household_low": 0.03,          # 1.5x .. 2x the standard
    "orphan_households": 0.0008,    # households made of minors only
    "disabled": 0.06,               # persons holding a disability certificate
    "severe_mental": 0.004,
    "special_family": 0.004,        # of persons aged >= 49
    "veteran": 0.004,
    "business_owner": 0.05,         # of adults
    "household_vehicle": 0.32,      # non-poor households
    "household_home": 0.72,         # non-poor households owning a home
    "settlements_per_person_year": 1.4,
    "heavy_patients": 0.006,        # persons with large hospital bills
    "two_cancers": 0.002,           # women with a C50/C53 diagnosis in the year
    "tax_filers": 0.55,             # of employed (就业) persons: monthly SW declarations
    "provident_fund": 0.6,          # of employed (就业) persons
    "disaster_victims": 0.006,
    "legal_aid": 0.004,
    "released": 0.001,
    "help_requests_per_person_year": 0.02,
    "enrol_when_eligible": 0.88,    # roster coverage of the people the latent rules select
    "enrol_when_not_eligible": 0.03,  # per eligible person: one enrolled without being eligible
    "employment_registered": 0.35,  # of tax filers and 未就业 persons: a RS employment record anyway
}


@dataclass(frozen=True)
class GenerateConfig:
    residents: int
    seed: int
    run_date: date
    out: str
    days: int = 14                       # drops over the days up to run_date
    stale_feed: str = "WJ.severe_mental"
    stale_age_days: int = 50
    not_ready_department: str = "GA"
    identity_damage: float = 1.0         # multiplies the ID and name damage rates (robustness runs)
    volumes: dict[str, float] = field(default_factory=lambda: dict(VOLUMES))

    @property
    def first_drop(self) -> date:
        return self.run_date - timedelta(days=self.days - 1)
