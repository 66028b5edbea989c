"""The roster's tree: every node's subtree, found one node at a time or all at once."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pipeline import roster as roster_module
from pipeline.roster import ROOT, Roster, Unit


@st.composite
def rosters(draw) -> Roster:
    """A tree of up to 30 units, each under the office or under a unit listed before it."""
    units: dict[str, Unit] = {}
    for i in range(draw(st.integers(0, 30))):
        parent = draw(st.sampled_from([ROOT, *units])) if units else ROOT
        units[f"U{i}"] = Unit(f"U{i}", f"Đơn vị {i}", "KHAC", parent, 1)
    return Roster(units)


@given(rosters())
def test_all_subtrees_at_once_are_each_nodes_subtree(roster):
    subtrees = roster.subtrees()
    assert list(subtrees) == [node.code for node in roster.nodes()]
    for code, subtree in subtrees.items():
        assert subtree == roster.subtree(code)
        assert roster.under(code, subtree) == roster.under(code)
        assert {u.code for u in subtree} == {code} | set(roster.under(code).units)


def _without_kind_word_by_word(key: str) -> str:
    """The plain reading of the rule: the longest kind word that starts the key, dropped."""
    for word in sorted(roster_module._KIND_WORDS, key=len, reverse=True):
        if key.startswith(word + " "):
            return key[len(word) + 1 :]
    return key


@given(st.lists(st.sampled_from([*roster_module._KIND_WORDS, "thon", "1", "xa", ""]), max_size=4))
def test_a_leading_kind_word_is_dropped_as_the_longest_that_fits(words):
    key = " ".join(words)
    assert roster_module._without_kind(key) == _without_kind_word_by_word(key)
