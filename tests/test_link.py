"""Deduplication within one inbox: the same model of the same unit counts once."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from pipeline.link import find_duplicates, supersede_units
from pipeline.normalize import comparison_key

SPELLINGS = {
    "Tuyến đường hoa": ["Tuyến đường hoa", "TUYẾN ĐƯỜNG HOA", "Tuyến  đường hoa "],
    "Thủy lợi nội đồng": ["Thủy lợi nội đồng", "Thuỷ lợi nội đồng"],
    "Hòa giải cơ sở": ["Hòa giải cơ sở", "Hoà giải cơ sở"],
    "Hóa chất an toàn": ["Hóa chất an toàn"],  # hóa is not hòa: a different model
}
# The oracle, written by hand: which model each spelling is, and which unit each unit name.
MODEL_OF = {spelling: model for model, spellings in SPELLINGS.items() for spelling in spellings}
UNIT_OF = {"Chi bộ thôn 1": "thôn 1", "chi bộ  thôn 1": "thôn 1", "Hội Nông dân": "HND"}
rows = st.lists(
    st.tuples(
        st.sampled_from(list(UNIT_OF)),
        st.sampled_from([s for spellings in SPELLINGS.values() for s in spellings]),
        st.sampled_from(["a.xlsx", "b.xlsx"]),
    ),
    max_size=25,
)


def frame(data) -> pd.DataFrame:
    df = pd.DataFrame(data, columns=["unit", "name", "_file"])
    df["_row"] = range(7, 7 + len(df))
    df["_sheet"] = "Đăng ký"
    df["model"] = df["name"].map(MODEL_OF)
    df["unit_id"] = df["unit"].map(UNIT_OF)
    return df


@given(rows, st.randoms())
def test_one_row_kept_per_unit_and_model_whatever_the_order(data, random):
    df = frame(data)
    shuffled = df.sample(frac=1, random_state=random.randint(0, 2**31))
    repeated, issues = find_duplicates(df)
    repeated_shuffled, _ = find_duplicates(shuffled)
    assert repeated.equals(repeated_shuffled.reindex(df.index))
    kept = df[~repeated]
    keys = list(zip(kept["unit_id"], kept["model"], strict=True))
    assert len(keys) == len(set(keys))
    all_keys = set(zip(df["unit_id"], df["model"], strict=True))
    assert len(kept) == len(all_keys)
    assert len(issues) == int(repeated.sum())


def test_different_units_and_different_words_are_different_models():
    df = frame(
        [
            ("Chi bộ thôn 1", "Hòa giải cơ sở", "a.xlsx"),
            ("Hội Nông dân", "Hòa giải cơ sở", "a.xlsx"),
            ("Chi bộ thôn 1", "Hóa chất an toàn", "a.xlsx"),
            ("Chi bộ thôn 1", "Hoà giải cơ sở", "b.xlsx"),
        ]
    )
    repeated, issues = find_duplicates(df)
    assert repeated.tolist() == [False, False, False, True]
    assert [(i.file, i.row, i.detail) for i in issues] == [("b.xlsx", 10, "7 của tệp a.xlsx")]


def test_a_retyped_name_in_the_same_inbox_counts_once_but_another_place_does_not():
    df = frame(
        [
            ("Chi bộ thôn 1", "Tuyến đường hoa", "a.xlsx"),
            ("Chi bộ thôn 1", "Mô hình “Tuyến đường hoa”", "b.xlsx"),
            ("Chi bộ thôn 1", "Tuyến đường hoa thôn 3", "b.xlsx"),
            ("Chi bộ thôn 1", "Tuyến đường hoa thôn 5", "b.xlsx"),
        ]
    )
    repeated, _ = find_duplicates(df)
    assert repeated.tolist() == [False, True, False, False]


_WORDS = ["Mô", "hình", "Dân", "vận", "khéo", "thôn", "Đông", "Hồ", "tổ", "4", "xanh", "đẹp"]


@given(
    st.lists(st.sampled_from(_WORDS) | st.text(max_size=4), max_size=8),
    st.lists(st.sampled_from(_WORDS) | st.text(max_size=4), max_size=8),
)
def test_presorted_ratio_is_token_sort_ratio(a, b):
    """Names are compared by their words sorted once; the score is rapidfuzz's own."""
    from rapidfuzz import fuzz

    from pipeline.link.names import _plain, _ratio
    from pipeline.normalize import name_parts

    x, y = name_parts(" ".join(a)), name_parts(" ".join(b))
    assert _plain(x, y) == fuzz.token_sort_ratio(x.core, y.core)
    folded = fuzz.token_sort_ratio(x.folded, y.folded)
    assert _ratio(x, y) == float(max(fuzz.token_sort_ratio(x.core, y.core), folded))


SENT = {"a.xlsx": dt.datetime(2026, 3, 1), "b.xlsx": dt.datetime(2026, 3, 5), "c.xlsx": None}


@given(
    st.lists(
        st.tuples(
            st.sampled_from(list(UNIT_OF)),
            st.sampled_from(["a.xlsx", "b.xlsx", "c.xlsx"]),
            st.sampled_from(["", "X1", "X2"]),  # a roster code, or none
        ),
        max_size=20,
    )
)
def test_a_unit_in_two_files_keeps_the_rows_of_the_one_sent_last(data):
    rows = pd.DataFrame(
        [
            {"unit": u, "_file": f, "unit_code": code, "_sheet": "Đăng ký", "name": f"Mô hình {i}"}
            for i, (u, f, code) in enumerate(data)
        ]
    )
    kept, issues = supersede_units(rows, SENT)
    # The oracle: each unit (its code, else its name) and the files it came in.
    unit = [code or comparison_key(u) for u, _, code in data]
    files: dict[str, set[str]] = {}
    for key, (_, f, _) in zip(unit, data, strict=True):
        files.setdefault(key, set()).add(f)
    latest = {k: max(fs, key=lambda f: (SENT[f] or dt.datetime.min, f)) for k, fs in files.items()}
    expected = [i for i, (_, f, _) in enumerate(data) if latest[unit[i]] == f]
    assert kept.index.tolist() == expected
    dropped = {(k, f) for k, fs in files.items() for f in fs if f != latest[k]}
    assert len(issues) == len(dropped)
    assert {(i.file, i.detail) for i in issues} == {(f, latest[k]) for k, f in dropped}
