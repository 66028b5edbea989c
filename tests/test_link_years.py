"""Linking a model to itself across years: the labelled set, blocking by unit, order."""

from __future__ import annotations

import csv

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from pipeline.link import LINKED, NEW, REVIEW, link_models, name_score, verdict
from tests.fixtures.build_linking_set import TARGET, pairs


def labelled() -> list[dict]:
    with TARGET.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_the_labelled_set_is_what_its_script_builds():
    rows = labelled()
    assert len(rows) >= 150
    assert [
        (r["ten_nam_truoc"], r["ten_nam_nay"], int(r["cung_mo_hinh"]), r["loai"]) for r in rows
    ] == pairs()


def test_precision_and_recall_on_the_labelled_set():
    tp = fp = fn = 0
    for row in labelled():
        linked = verdict(name_score(row["ten_nam_truoc"], row["ten_nam_nay"])) == LINKED
        same = row["cung_mo_hinh"] == "1"
        tp += linked and same
        fp += linked and not same
        fn += same and not linked
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert precision >= 0.97, precision
    assert recall >= 0.97, recall


def test_a_different_place_is_a_different_model_but_an_added_place_is_not():
    assert name_score("Tuyến đường hoa thôn 3", "Tuyến đường hoa thôn 5") == 0
    assert verdict(name_score("Tuyến đường hoa", "Mô hình “Tuyến đường hoa” thôn Đông")) == LINKED
    # "xã hội" and "nông thôn mới" end in a place word but are not places.
    assert (
        name_score("Dòng họ không có tệ nạn xã hội", "Dòng họ không có tệ nạn xã hội thôn 2") >= 95
    )
    assert name_score("Xây dựng nông thôn mới", "Xây dựng NTM") == 100


EARLIER = pd.DataFrame(
    {
        "unit": ["Chi bộ thôn Đông", "Chi bộ thôn Đông", "Hội Nông dân", "Hội Nông dân"],
        "name": ["Tuyến đường hoa", "Camera an ninh", "Tuyến đường hoa", "Rau an toàn"],
        "model_id": [1, 2, 3, 4],
    }
)


def test_blocking_by_unit_keeps_the_same_name_in_two_units_apart():
    current = pd.DataFrame(
        {
            "unit": ["chi bộ thôn đông", "Hội Nông dân", "Đoàn Thanh niên", "Hội Nông dân"],
            "name": [
                "Mô hình “Tuyến đường hoa”",
                "Tuyến đường hoa",
                "Tuyến đường hoa",
                "Camera giao thông",
            ],
        }
    )
    links = link_models(current, EARLIER)
    assert links[["verdict", "model_id"]].values.tolist() == [
        [LINKED, 1],
        [LINKED, 3],
        [NEW, None],
        [NEW, None],
    ]


def test_two_equally_good_candidates_go_to_a_person():
    earlier = pd.DataFrame(
        {
            "unit": ["A", "A"],
            "name": ["Hũ gạo tình thương", "Hũ gạo tình thương"],
            "model_id": [7, 8],
        }
    )
    links = link_models(pd.DataFrame({"unit": ["A"], "name": ["Hũ gạo tình thương"]}), earlier)
    assert links.loc[0, "verdict"] == REVIEW
    assert links.loc[0, "candidates"] == "Hũ gạo tình thương (100); Hũ gạo tình thương (100)"


NAMES = [
    "Tuyến đường hoa",
    "Tuyến đường hoa thôn 3",
    "Camera an ninh",
    "Hũ gạo tình thương",
    "Mô hình “Camera an ninh”",
    "Thư viện xanh",
    "Thư viện số",
]


@given(
    st.lists(
        st.tuples(st.sampled_from(["A", "B"]), st.sampled_from(NAMES)), min_size=1, max_size=8
    ),
    st.lists(st.tuples(st.sampled_from(["A", "B"]), st.sampled_from(NAMES)), max_size=8),
    st.randoms(),
)
def test_linking_does_not_depend_on_row_order(current_rows, earlier_rows, random):
    current = pd.DataFrame(current_rows, columns=["unit", "name"])
    earlier = pd.DataFrame(earlier_rows, columns=["unit", "name"])
    earlier["model_id"] = range(len(earlier))
    links = link_models(current, earlier)
    shuffled = link_models(
        current.sample(frac=1, random_state=random.randint(0, 99)),
        earlier.sample(frac=1, random_state=random.randint(0, 99)),
    ).loc[current.index]
    assert links.equals(shuffled)
