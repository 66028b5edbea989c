"""Linking a model to itself across years: names' evidence, one-to-one, ticks, order."""

from __future__ import annotations

import csv
import os
import unicodedata

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.link import (
    AGREED,
    CLAIMED,
    LINKED,
    NEW,
    REVIEW,
    SAME_MODEL,
    History,
    Strength,
    compare_names,
    link_models,
    link_years,
    years,
)
from pipeline.records import Decision
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


def evidence_on_the_old_set() -> dict[tuple[int, str], int]:
    """(same model?, strength) -> pairs, on the 331 pairs written with the first rule."""
    counts: dict[tuple[int, str], int] = {}
    for row in labelled():
        found = compare_names(row["ten_nam_truoc"], row["ten_nam_nay"]).strength
        key = (int(row["cung_mo_hinh"]), found.name)
        counts[key] = counts.get(key, 0) + 1
    return counts


def test_on_the_old_set_strong_evidence_is_never_wrong_and_no_true_pair_is_missed():
    counts = evidence_on_the_old_set()
    assert counts.get((0, "SAME"), 0) == 0  # never overrides a tick wrongly
    assert counts.get((1, "NONE"), 0) + counts.get((1, "AGAINST"), 0) == 0  # nothing missed
    strong = counts[(1, "SAME")] / sum(v for (same, _), v in counts.items() if same)
    assert strong >= 0.8, counts  # most retypings are certain; the rest follow the tick


@pytest.mark.parametrize(
    ("last_year", "this_year"),
    [
        ("Camera an ninh", "CAMERA AN NINH"),
        ("Camera an ninh", "  Camera  an ninh "),
        ("Phụ nữ tiết kiệm", unicodedata.normalize("NFD", "Phụ nữ tiết kiệm")),
        ("Camera an ninh", "Mô hình “Camera an ninh”"),
        ("Khu dân cư văn hóa", "Khu dân cư văn hoá"),
        ("Tổ tự quản an ninh trật tự", "Tổ tự quản ANTT"),
        ("Tổ hợp tác xã trồng rau", "Tổ HTX trồng rau"),
        ("Tổ tự quản vệ sinh môi trường", "Tổ tự quản VSMT"),
        ("Hũ gạo tình thương", "Xây dựng mô hình Hũ gạo tình thương trên địa bàn xã"),
        ("Hũ gạo tình thương", "Hũ gạo tình thương năm 2026"),
        ("Hũ gạo tình thương", "Hũ gạo tình thương (giai đoạn 2025 - 2030)"),
        ("7 ngày xanh - sạch - đẹp", "7 ngày xanh, sạch, đẹp."),
        ("Camera an ninh tổ dân phố 4", "Camera an ninh TDP 4"),
    ],
)
def test_spelling_habits_are_strong_evidence(last_year, this_year):
    assert compare_names(last_year, this_year).strength == Strength.SAME


@pytest.mark.parametrize(
    ("last_year", "this_year", "why"),
    [
        ("Bữa sáng 0 đồng", "Bữa sáng 0 đồng ở thôn Đông Hồ", "place-added"),
        ("Tuyến đường hoa thôn Đông", "Tuyến đường hoa", "place-added"),
        ("Camera an ninh", "Camera an ninh số 2", "words-added"),
        ("Chính quyền thân thiện, vì Nhân dân phục vụ", "Chính quyền thân thiện", "words-added"),
        ("Mẹ đỡ đầu trẻ mồ côi", "Mẹ dỡ dầu trẻ mồ côi", "folded"),
        ("Câu lạc bộ văn hóa, văn nghệ", "Câu lạc bộ văn nghệ, văn hóa", "close"),
    ],
)
def test_a_name_that_adds_drops_or_slips_is_only_partial_evidence(last_year, this_year, why):
    evidence = compare_names(last_year, this_year)
    assert (evidence.strength, evidence.why) == (Strength.PARTIAL, why)
    assert evidence.score >= 75  # in the band a person or the tick decides


@pytest.mark.parametrize(
    ("last_year", "this_year", "why"),
    [
        ("Tuyến đường hoa thôn 3", "Tuyến đường hoa thôn 5", "other-place"),
        ("Tuyến đường hoa xóm Bắc Sơn", "Tuyến đường hoa xóm Đông Lộc", "other-place"),
        ("Gia đình 5 không 3 sạch", "Gia đình 5 không 4 sạch", "other-number"),
        ("Tổ thanh niên tự quản an ninh trật tự", "Tổ phụ nữ tự quản an ninh trật tự",
         "other-group"),
        ("Nông dân giúp nhau phát triển kinh tế", "Cựu chiến binh giúp nhau phát triển kinh tế",
         "other-group"),
    ],
)  # fmt: skip
def test_another_place_number_or_target_group_is_evidence_against(last_year, this_year, why):
    evidence = compare_names(last_year, this_year)
    assert (evidence.strength, evidence.why) == (Strength.AGAINST, why)


def test_a_common_word_that_ends_a_name_is_not_a_place():
    assert compare_names("Tổ may sinh kế", "Tổ may sinh kế").strength == Strength.SAME
    assert (
        compare_names("Dòng họ không có tệ nạn xã hội", "Dòng họ không có tệ nạn xã hội thôn 2").why
        == "place-added"
    )
    same = compare_names("Hiến đất mở rộng đường khu dân cư", "Hiến đất mở rộng đường KDC")
    assert same.strength == Strength.SAME


def history(earlier: list[tuple[str, str, int]], year: int = 2026) -> History:
    """What the registry would know: last year's models (unit, name, id) and their year."""
    columns = ["model_id", "year", "unit", "name", "field", "status", "kind"]
    rows = [(i, year - 1, u, n, "KT", "MOI", "registrations") for u, n, i in earlier]
    empty = History.empty(year)
    return History(
        year=year,
        earlier=pd.DataFrame(rows, columns=columns),
        this_year=empty.this_year,
        decisions={},
        years=(year - 1,),
        renames={},
    )


def linked(rows: list[tuple[str, str, str]], known: History) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["unit", "name", "status"])
    frame["_file"], frame["_row"] = "a.xlsx", range(7, 7 + len(frame))
    return link_years(frame, known)


A = "Chi bộ thôn Đông"
LAST_YEAR = history([(A, "Bữa sáng 0 đồng", 1), (A, "Camera an ninh", 2), (A, "Mẹ đỡ đầu", 3)])


def test_strong_evidence_overrides_the_tick_and_absence_too():
    out = linked([(A, "Mô hình “Camera an ninh”", "MOI"), (A, "Thư viện số", "DUY_TRI")], LAST_YEAR)
    assert out[["link", "status", "model_id"]].values.tolist() == [
        [LINKED, "DUY_TRI", 2],
        [NEW, "MOI", None],
    ]


def test_partial_evidence_follows_an_agreeing_tick_and_asks_when_it_disagrees():
    out = linked([(A, "Mẹ dỡ dầu", "DUY_TRI"), (A, "Camera an ninh thôn Đông", "MOI")], LAST_YEAR)
    assert out[["link", "status", "review_reason"]].values.tolist() == [
        [AGREED, "DUY_TRI", ""],
        [REVIEW, "MOI", "partial-against-tick"],  # the tick stands until a person decides
    ]


def test_one_earlier_model_continues_into_one_model_and_the_other_is_told():
    """The original re-registered and its replication in a new hamlet, both this year."""
    out = linked(
        [(A, "Bữa sáng 0 đồng ở thôn Đông Hồ", "MOI"), (A, "Bữa sáng 0 đồng", "DUY_TRI")], LAST_YEAR
    )
    assert out[["link", "status", "model_id", "review_reason", "claimed_by"]].values.tolist() == [
        [NEW, "MOI", None, CLAIMED, "Bữa sáng 0 đồng"],
        [LINKED, "DUY_TRI", 1, "", ""],
    ]


def test_among_close_names_the_row_ticked_continuing_keeps_the_earlier_model():
    known = history([(A, "Dọn vệ sinh môi trường sáng thứ Bảy hàng tuần", 9)])
    out = linked(
        [
            (A, "Dọn vệ sinh môi trường sáng thứ Bảy hàng tuần ở xóm 3", "MOI"),
            (A, "Dọn vệ sinh môi trường sáng thứ Bảy", "DUY_TRI"),
        ],
        known,
    )
    assert out["link"].tolist() == [NEW, AGREED]
    assert out["model_id"].tolist() == [None, 9]


def test_a_row_that_lost_its_model_and_disagrees_with_its_tick_is_asked():
    out = linked([(A, "Bữa sáng 0 đồng", "DUY_TRI"), (A, "Bữa sáng 0 đồng xóm 2", "DUY_TRI")],
                 LAST_YEAR)  # fmt: skip
    assert out[["link", "status", "review_reason"]].values.tolist() == [
        [LINKED, "DUY_TRI", ""],
        [REVIEW, "DUY_TRI", CLAIMED],
    ]


def test_a_unit_the_registry_does_not_know_that_ticks_continuing_is_asked():
    out = linked([("Hội Người cao tuổi", "Camera an ninh", "DUY_TRI")], LAST_YEAR)
    assert out[["link", "review_reason"]].values.tolist() == [[REVIEW, "unknown-unit"]]


def test_continuing_ticked_beside_a_near_model_of_another_place_is_asked():
    known = history([(A, "Tuyến đường hoa thôn 3", 5)])
    out = linked([(A, "Tuyến đường hoa thôn 5", "DUY_TRI"), (A, "Tuyến đường hoa xóm 9", "MOI")],
                 known)  # fmt: skip
    assert out[["link", "review_reason"]].values.tolist() == [
        [REVIEW, "near-but-different"],
        [NEW, ""],
    ]


def test_a_persons_decision_wins_and_keeps_its_model():
    known = LAST_YEAR.with_decisions(
        {(A.casefold(), "bữa sáng 0 đồng|thôn đông hồ"): Decision(True, 1)}
    )
    out = linked(
        [(A, "Bữa sáng 0 đồng ở thôn Đông Hồ", "MOI"), (A, "Bữa sáng 0 đồng", "DUY_TRI")], known
    )
    assert out["model_id"].tolist() == [1, None]  # the person's row keeps the earlier model
    assert out["link"].tolist() == ["decided-old", REVIEW]


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
            "name": ["Mô hình “Tuyến đường hoa”", "Tuyến đường hoa", "Tuyến đường hoa",
                     "Camera giao thông"],
        }
    )  # fmt: skip
    links = link_models(current, EARLIER)
    assert links[["verdict", "model_id"]].values.tolist() == [
        [SAME_MODEL, 1],
        [SAME_MODEL, 3],
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
    "Tuyến đường hoa thôn Đông",
    "Camera an ninh",
    "Hũ gạo tình thương",
    "Mô hình “Camera an ninh”",
    "Thư viện xanh",
    "Thư viện số",
]


@given(
    st.lists(
        st.tuples(st.sampled_from(["A", "B"]), st.sampled_from(NAMES),
                  st.sampled_from(["DUY_TRI", "MOI"])),
        min_size=1, max_size=8, unique_by=lambda r: (r[0], r[1]),
    ),
    st.lists(st.tuples(st.sampled_from(["A", "B"]), st.sampled_from(NAMES)), max_size=8),
    st.randoms(),
)  # fmt: skip
def test_linking_does_not_depend_on_row_order(current_rows, earlier_rows, random):
    known = history([(u, n, i) for i, (u, n) in enumerate(earlier_rows)])
    current = pd.DataFrame(current_rows, columns=["unit", "name", "status"])
    current["_file"], current["_row"] = "a.xlsx", 7  # one row number: order cannot leak
    links = link_years(current, known)
    shuffled = current.sample(frac=1, random_state=random.randint(0, 99))
    again = link_years(shuffled, known).loc[current.index]
    columns = ["link", "status", "model_id", "review_reason"]
    assert links[columns].equals(again[columns])
    # One-to-one: no earlier model continues into two rows of a unit.
    taken = links[links["link"].isin([LINKED, AGREED])]
    owners = pd.DataFrame({"unit": current.loc[taken.index, "unit"], "model": taken["model_id"]})
    assert not owners.duplicated().any()


def _province(units: int) -> tuple[pd.DataFrame, History]:
    """Many units, each with last year's names and this year's retyped, dropped or new."""
    earlier, current = [], []
    for u in range(units):
        unit = f"Chi bộ thôn {u}"
        for k, name in enumerate(NAMES):
            if (u + k) % 3:
                earlier.append((unit, name, u * 100 + k))
            if (u + k) % 4:
                status = "DUY_TRI" if (u + k) % 2 else "MOI"
                current.append((unit, f"Mô hình “{name}”" if k % 2 else name, status))
    rows = pd.DataFrame(current, columns=["unit", "name", "status"])
    rows["_file"] = [f"{i // 7:03}.xlsx" for i in range(len(rows))]
    rows["_row"] = [8 + i % 7 for i in range(len(rows))]
    return rows, history(earlier)


def _linked_in_one_process(monkeypatch, rows, known) -> pd.DataFrame:
    """The links as one process decides them; then forked processes from the first row on."""
    years._MEMO.clear()
    monkeypatch.setattr(years, "PARALLEL_FROM", 10**9)
    alone = link_years(rows, known)
    years._MEMO.clear()
    monkeypatch.setattr(years, "PARALLEL_FROM", 1)
    return alone


def _dies() -> None:
    os._exit(3)  # a forked process killed (out of memory, say) before it answers


@pytest.mark.skipif(not years.FORKS, reason="only where processes fork")
def test_units_decided_in_a_forked_process_are_decided_as_here(monkeypatch):
    rows, known = _province(60)
    alone = _linked_in_one_process(monkeypatch, rows, known)
    decided_here = []
    decide = years._decide_unit

    def counted(unit, *rest):
        decided_here.append(unit)  # in this process only: the forked one counts its own
        return decide(unit, *rest)

    monkeypatch.setattr(years, "_decide_unit", counted)
    beside = link_years(rows, known)
    pd.testing.assert_frame_equal(alone, beside)
    assert 0 < len(set(decided_here)) < rows["unit"].nunique()  # the other process did its half


@pytest.mark.skipif(not years.FORKS, reason="only where processes fork")
def test_a_forked_process_that_dies_loses_no_unit(monkeypatch):
    rows, known = _province(30)
    alone = _linked_in_one_process(monkeypatch, rows, known)
    monkeypatch.setattr(years, "_decide_inherited", _dies)
    pd.testing.assert_frame_equal(alone, link_years(rows, known))
