"""The office's roster: its units as a tree, their quotas, and which roster unit a name means.

Pure: the roster comes in as rows (read by ingest/roster_reader.py) and goes out as lookups.
The office itself is the root; a unit with no parent code hangs under it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

import pandas as pd

from pipeline import vocab
from pipeline.issues import Code, Issue
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
    # Made from the lower offices' annexes, not from the office's roster (roster_from_senders):
    # it groups the total by sender, but says nothing of who was expected to send.
    from_senders: bool = False

    def __bool__(self) -> bool:
        return bool(self.units)

    def children(self, code: str) -> list[Unit]:
        return self._children().get(code, [])

    def _children(self) -> dict[str, list[Unit]]:
        """Parent code -> its units, in the roster's order: built per call (the roster is
        still changed while it is being built), one pass instead of one per unit."""
        found: dict[str, list[Unit]] = {}
        for unit in self.units.values():
            found.setdefault(unit.parent, []).append(unit)
        return found

    def nodes(self) -> list[Unit]:
        """The units that have units under them (a commune under a province, …)."""
        parents = self._children()
        return [u for u in self.units.values() if u.code in parents]

    def subtree(self, code: str, children: dict[str, list[Unit]] | None = None) -> list[Unit]:
        """The unit and every unit under it, at any depth."""
        children = self._children() if children is None else children
        found, queue = [], [code]
        while queue:
            current = queue.pop(0)
            if current in self.units:
                found.append(self.units[current])
            queue += [u.code for u in children.get(current, [])]
        return found

    def subtrees(self) -> dict[str, list[Unit]]:
        """subtree() of every node, the units' parents looked up once for all of them."""
        children = self._children()
        return {node.code: self.subtree(node.code, children) for node in self.nodes()}

    def under(self, code: str, subtree: list[Unit] | None = None) -> Roster:
        """The part of the roster under a node, with the node's children at its top (its
        `subtree`, when the caller has it)."""
        units = {
            u.code: Unit(**{**vars(u), "parent": ROOT if u.parent == code else u.parent})
            for u in (self.subtree(code) if subtree is None else subtree)
            if u.code != code
        }
        return Roster(units)

    def top_of(self, code: str) -> str:
        """The unit directly under the office that `code` belongs to (itself, if it is one)."""
        seen = set()
        while code in self.units and self.units[code].parent != ROOT and code not in seen:
            seen.add(code)
            code = self.units[code].parent
        return code

    def with_answers(
        self, answers: dict[str, tuple[str, str]], file: str = ""
    ) -> tuple[Roster, list[Issue]]:
        """The roster with a person's answers about names it did not know: name key -> (name as
        written, roster code) makes the name a former name of that unit; code "" makes it a new
        unit under the office. An unknown code is reported and changes nothing."""
        units = dict(self.units)
        by_code = {comparison_key(c): c for c in units}
        issues = []
        for _, (name, typed) in sorted(answers.items()):
            # A code, in any case, or the roster's own name of the unit.
            code = by_code.get(comparison_key(typed)) or match_units([typed], self).get(typed)
            if not typed:
                new = f"MOI-{len(units) + 1}"
                units[new] = Unit(new, name, "KHAC", ROOT, 0)
            elif code:
                unit = units[code]
                units[code] = Unit(**{**vars(unit), "former": (*unit.former, name)})
            else:
                issues.append(
                    Issue(file=file, code=Code.REVIEW_UNIT_UNKNOWN_CODE, value=typed, detail=name)
                )
        return Roster(units, self.from_senders), issues

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
            problem(row, "Mã đơn vị" if not code else "Tên đơn vị", Code.ROSTER_INCOMPLETE)
            continue
        if code in roster.units:
            problem(row, "Mã đơn vị", Code.ROSTER_DUPLICATE_CODE, code)
            continue
        if kind is None:
            problem(row, "Loại đơn vị", Code.ROSTER_UNKNOWN_KIND, clean_text(row.get("kind")))
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
            problem({"_row": None}, "Mã đơn vị cấp trên", Code.ROSTER_UNKNOWN_PARENT, unit.parent,
                    unit.name)  # fmt: skip
            roster.units[unit.code] = Unit(**{**vars(unit), "parent": ROOT})
    for unit in list(roster.units.values()):
        if _in_cycle(roster, unit.code):
            problem({"_row": None}, "Mã đơn vị cấp trên", Code.ROSTER_CYCLE, unit.code, unit.name)
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
    a leading kind word dropped ("Chi bộ thôn 1" is "Thôn 1" in a roster that says so). A name
    two units share ("Hội Nông dân xã" under two communes) matches neither: a person says which.
    """
    exact: dict[str, set[str]] = {}
    for unit in roster.units.values():
        for name in (unit.name, *unit.former, unit.code):  # a unit may write its code
            exact.setdefault(comparison_key(name), set()).add(unit.code)
    stripped: dict[str, set[str]] = {}
    for key, codes in exact.items():
        stripped.setdefault(_without_kind(key), set()).update(codes)
    found = {}
    for name in names:
        key = comparison_key(name)
        codes = exact.get(key) or stripped.get(key) or stripped.get(_without_kind(key), set())
        # Without its kind word a name may fit two units ("Chi bộ thôn 1", "Hội thôn 1"): none.
        found[name] = next(iter(codes)) if len(codes) == 1 else None
    return found


def roster_from_senders(
    annexes: list[tuple[str, str, list[str]]],
) -> tuple[Roster, dict[tuple[str, str], str]]:
    """Without a roster: a node for each lower office that sent its consolidated annex, named
    as its heading names it, with the units that annex lists under it.

    `annexes` holds (file, office, unit names) for each such file, in the order they are read;
    two files of one office give one node. Returns the roster and (file, unit key) -> code.
    """
    roster = Roster(from_senders=True)
    nodes: dict[str, str] = {}  # office key -> node code
    codes: dict[tuple[str, str], str] = {}
    for file, office, units in annexes:
        node = nodes.setdefault(comparison_key(office), f"N{len(nodes) + 1}")
        if node not in roster.units:
            roster.units[node] = Unit(node, office, "KHAC", ROOT, 0)
        for name in units:
            key = comparison_key(name)
            if not key or key == comparison_key(office):
                continue
            mine = [u for u in roster.children(node) if comparison_key(u.name) == key]
            code = mine[0].code if mine else f"{node}.{len(roster.children(node)) + 1}"
            if not mine:
                roster.units[code] = Unit(code, name, "KHAC", node, 0)
            codes[(file, key)] = code
    return roster, codes


_KIND_WORDS = sorted(
    (comparison_key(w) for words in vocab.UNIT_KIND_SYNONYMS.values() for w in words),
    key=len,
    reverse=True,
)
# Longest first, as `re` tries the alternatives in order: "chi bo thon" before "chi bo".
_KIND_WORD = re.compile("(?:" + "|".join(re.escape(w) for w in _KIND_WORDS) + ") ")


@functools.lru_cache(maxsize=1 << 16)
def _without_kind(key: str) -> str:
    """The key without its leading kind word. Remembered: every run asks for each roster
    unit's names three times (a province's roster has 5,000 units)."""
    found = _KIND_WORD.match(key)
    return key[found.end() :] if found else key
