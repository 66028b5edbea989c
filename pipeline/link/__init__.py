"""Link stage: a model counts once in the inbox, and is linked to itself across years."""

from pipeline.link.inbox import find_duplicates, supersede_units
from pipeline.link.names import Evidence, Strength, compare_names
from pipeline.link.years import (
    AGREED,
    CLAIMED,
    CLOSE,
    DECIDED_NEW,
    DECIDED_OLD,
    LINK_OUTCOMES,
    LINKED,
    NEW,
    NO_HISTORY,
    REVIEW,
    SAME_MODEL,
    History,
    evidence_text,
    link_models,
    link_years,
)

__all__ = [
    "AGREED",
    "CLAIMED",
    "CLOSE",
    "DECIDED_NEW",
    "DECIDED_OLD",
    "LINKED",
    "LINK_OUTCOMES",
    "NEW",
    "NO_HISTORY",
    "REVIEW",
    "SAME_MODEL",
    "Evidence",
    "History",
    "Strength",
    "compare_names",
    "evidence_text",
    "find_duplicates",
    "link_models",
    "link_years",
    "supersede_units",
]
