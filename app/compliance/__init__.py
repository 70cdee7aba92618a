"""Visiting rules as data (compliance profiles) and their check of each case on each day.

No HTTP here: profiles come in as validated models, cases as plain facts; what comes out is
an exclusion naming its rule, or the times a visit may start.
"""

from app.compliance.check import (
    Admission,
    CaseFacts,
    Exclusion,
    InconvenientTime,
    PastVisit,
    check_case,
)
from app.compliance.library import (
    ProfileConflictError,
    ProfileError,
    ProfileLibrary,
    load_profile_files,
)
from app.compliance.rules import EffectiveRules, RuleRef, combine
from app.compliance.schema import ProfileIn

__all__ = [
    "Admission",
    "CaseFacts",
    "EffectiveRules",
    "Exclusion",
    "InconvenientTime",
    "PastVisit",
    "ProfileConflictError",
    "ProfileError",
    "ProfileIn",
    "ProfileLibrary",
    "RuleRef",
    "check_case",
    "combine",
    "load_profile_files",
]
