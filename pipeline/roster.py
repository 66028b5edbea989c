"""The office's roster: its units as a tree, their quotas, and which roster unit a name means.

Pure: the roster comes in as rows (read by ingest/roster_reader.py) and goes out as lookups.
The office itself is the root; a unit with no parent code hangs under it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from pipeline import vocab
from pipeline.issues import Issue
from pipeline.normalize import clean_text, comparison_key

ROOT = ""  # the office's own code in the tree
_KINDS = {
    comparison_key(word): code
    for code, words in vocab.UNIT_KIND_SYNONYMS.items()
    for word in (*words, vocab.UNIT_KINDS[code])
}


def match_kind(value: object) -> str | None:
    return _KINDS.get(comparison_key(value))


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str
    parent: str  # ROOT when the unit reports to the office directly
    quota: int
    email: str = ""
    former: tuple[str, ...] = ()


@dataclass
class Roster:
    units: dict[str, Unit] = field(default_factory=dict)  # code -> unit, in the roster's order

    def __bool__(self) -> bool:
        return bool(self.units)

    def children(self, code: str) -> list[Unit]:
        return [u for u in self.units.values() if u.parent == code]

    def nodes(self) -> list[Unit]:
        """The units that have units under them (a commune under a province, …)."""
        return [u for u in self.units.values() if self.children(u.code)]

    def subtree(self, code: str) -> list[Unit]:
        """The unit and every unit under it, at any depth."""
        found, queue = [], [code]
        while queue:
            current = queue.pop(0)
            if current in self.units:
                found.append(self.units[current])
            queue += [u.code for u in self.children(current)]
        return found

    def top_of(self, code: str) -> str:
        """The unit directly under the office that `code` belongs to (itself, if it is one)."""
        seen = set()
        while code in self.units and self.units[code].parent != ROOT and code not in seen:
            seen.add(code)
            code = self.units[code].parent
        return code

    def keys(self) -> dict[str, str]:
        """Comparison key of every name, former name and code -> unit code."""
        keys = {}
        for unit in self.units.values():
            for name in (unit.name, *unit.former, unit.code):  # a unit may write its code
                keys.setdefault(comparison_key(name), unit.code)
        return keys

    def renames(self) -> dict[str, str]:
        """Former name's key -> the present name's key, for linking models across years."""
        return {
            comparison_key(old): comparison_key(unit.name)
            for unit in self.units.values()
            for old in unit.former
        }


def build_roster(
    rows: list[dict], quotas: dict[str, int], file: str = ""
) -> tuple[Roster, list[Issue]]:
    """The roster from its rows (code, name, kind, parent, quota, email, former, _row), checked:
    every unit needs a code, a name and a kind; codes are unique; parents exist; no cycles."""
    issues: list[Issue] = []
    roster = Roster()

    def problem(row: dict, column: str, code: str, value: str = "", detail: str = "") -> None:
        issues.append(
            Issue(
                file=file,
                sheet="Danh mục đơn vị",
                row=row.get("_row"),
                column=column,
                code=code,
                value=value,
                detail=detail,
            )
        )

    for row in rows:
        code, name = clean_text(row.get("code")), clean_text(row.get("name"))
        kind = match_kind(row.get("kind"))
        if not code or not name:
            problem(row, "Mã đơn vị" if not code else "Tên đơn vị", "roster-incomplete")
            continue
        if code in roster.units:
            problem(row, "Mã đơn vị", "roster-duplicate-code", code)
            continue
        if kind is None:
            problem(row, "Loại đơn vị", "roster-unknown-kind", clean_text(row.get("kind")))
            kind = "KHAC"
        quota = row.get("quota")
        quota = int(quota) if quota is not None and not pd.isna(quota) else quotas.get(kind, 0)
        former = tuple(n.strip() for n in clean_text(row.get("former")).split(";") if n.strip())
        roster.units[code] = Unit(
            code=code,
            name=name,
            kind=kind,
            parent=clean_text(row.get("parent")),
            quota=quota,
            email=clean_text(row.get("email")),
            former=former,
        )
    for unit in list(roster.units.values()):
        if unit.parent and unit.parent not in roster.units:
            problem({"_row": None}, "Mã đơn vị cấp trên", "roster-unknown-parent", unit.parent,
                    unit.name)  # fmt: skip
            roster.units[unit.code] = Unit(**{**vars(unit), "parent": ROOT})
    for unit in list(roster.units.values()):
        if _in_cycle(roster, unit.code):
            problem({"_row": None}, "Mã đơn vị cấp trên", "roster-cycle", unit.code, unit.name)
            roster.units[unit.code] = Unit(**{**vars(unit), "parent": ROOT})
    return roster, issues


def _in_cycle(roster: Roster, code: str) -> bool:
    seen, current = set(), code
    while current and current in roster.units:
        if current in seen:
            return True
        seen.add(current)
        current = roster.units[current].parent
    return False


def match_units(names: list[str], roster: Roster) -> dict[str, str | None]:
    """Each submitted unit name -> its roster code, by name or a former name, else None.

    Names are compared by their comparison key (case, spaces, tone placement, NFC), then with
    a leading kind word dropped ("Chi bộ thôn 1" is "Thôn 1" in a roster that says so).
    """
    keys = roster.keys()
    stripped: dict[str, set[str]] = {}
    for key, code in keys.items():
        stripped.setdefault(_without_kind(key), set()).add(code)
    found = {}
    for name in names:
        key = comparison_key(name)
        loose = stripped.get(key) or stripped.get(_without_kind(key), set())
        # Without its kind word a name may fit two units ("Chi bộ thôn 1", "Hội thôn 1"): none.
        found[name] = keys.get(key) or (next(iter(loose)) if len(loose) == 1 else None)
    return found


_KIND_WORDS = sorted(
    (comparison_key(w) for words in vocab.UNIT_KIND_SYNONYMS.values() for w in words),
    key=len,
    reverse=True,
)


def _without_kind(key: str) -> str:
    for word in _KIND_WORDS:
        if key.startswith(word + " "):
            return key[len(word) + 1 :]
    return key
