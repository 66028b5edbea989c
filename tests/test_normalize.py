"""Normalization: clean text, comparison keys, closed lists, counts and dates."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.normalize import (
    clean_text,
    comparison_key,
    match_choice,
    parse_count,
    parse_date,
    sort_key,
)

PIECES = [*"aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯ  -–“”\"'\t\n"]
PIECES += ["hoá", "hóa", "thuỷ", "thủy", "uỷ", "ủy", "hòa", "Đông", "Dong", "ễ", "ặ"]
VIETNAMESE = st.lists(st.sampled_from(PIECES), max_size=20).map("".join)


@given(VIETNAMESE)
def test_clean_text_and_key_are_idempotent(text):
    assert clean_text(clean_text(text)) == clean_text(text)
    assert comparison_key(comparison_key(text)) == comparison_key(text)


@given(VIETNAMESE)
def test_nfd_and_nfc_spellings_share_a_key(text):
    assert comparison_key(unicodedata.normalize("NFD", text)) == comparison_key(text)


@given(VIETNAMESE, st.sampled_from([str.upper, str.lower, str.title]))
def test_case_and_spacing_do_not_change_the_key(text, case):
    assert comparison_key(case(text)) == comparison_key(text)
    assert comparison_key(f"  {text.replace(' ', '   ')}\t") == comparison_key(text)


@pytest.mark.parametrize(
    ("old", "new"),
    [("hoá", "hóa"), ("Thuỷ lợi", "Thủy lợi"), ("Uỷ ban", "Ủy ban"), ("khoẻ", "khỏe")],
)
def test_tone_placement_habits_share_a_key(old, new):
    assert comparison_key(old) == comparison_key(new)


@pytest.mark.parametrize(("a", "b"), [("hóa", "hòa"), ("Đông", "Dong"), ("hoàn", "hòan")])
def test_different_words_stay_different(a, b):
    assert comparison_key(a) != comparison_key(b)


def test_quotes_and_dashes_are_folded_but_display_text_is_kept():
    assert comparison_key("Mô hình “Tuyến đường hoa”") == comparison_key(
        'mô hình "tuyến đường hoa"'
    )
    assert comparison_key("Văn hóa-xã hội") == comparison_key("Văn hóa – xã hội")
    assert clean_text("  Mô hình\u00a0 “Tuyến\u200b đường hoa” ") == "Mô hình “Tuyến đường hoa”"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Kinh tế", "KT"),
        ("phát triển kinh tế", "KT"),
        ("KT", "KT"),
        ("Văn hoá-XH", "VHXH"),
        ("VHXH", "VHXH"),
        ("QP-AN", "QPAN"),
        ("an ninh - quốc phòng", "QPAN"),
        ("XD HTCT", "XDD"),
        ("xây dựng Đảng và HTCT", "XDD"),
        ("Lĩnh vực kinh tế", "KT"),
        ("lãnh vực văn hóa xã hội", "VHXH"),
        ("Giáo dục", None),
    ],
)
def test_field_synonyms(typed, code):
    assert match_choice("field", typed) == code


def test_other_closed_lists():
    assert match_choice("subject", "tập thể") == "TAP_THE"
    assert match_choice("subject", "CÁ NHÂN") == "CA_NHAN"
    assert match_choice("status", "Duy trì") == "DUY_TRI"
    assert match_choice("result_status", "XD mới") == "MOI"
    assert match_choice("self_assessment", "vượt") == "VUOT"
    assert match_choice("level", "cấp xã") == "XA"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1.0, 1), (3, 3), ("02", 2), ("", 1), (None, 1), (1.5, None), ("hai", None), ("-1", -1)],
)
def test_parse_count(value, expected):
    assert parse_count(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.date(2026, 3, 15), dt.date(2026, 3, 15)),
        (dt.datetime(2026, 3, 15, 8, 0), dt.date(2026, 3, 15)),
        (46096.0, dt.date(2026, 3, 15)),
        ("15/3/2026", dt.date(2026, 3, 15)),
        ("15-03-2026", dt.date(2026, 3, 15)),
        ("15.3.2026", dt.date(2026, 3, 15)),
        ("tháng 3/2026", dt.date(2026, 3, 1)),
        ("năm 2026", dt.date(2026, 1, 1)),
        ("31/2/2026", None),
        ("hôm qua", None),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


def test_parse_date_end_of_period():
    assert parse_date("2/2026", end_of_period=True) == dt.date(2026, 2, 28)
    assert parse_date("2026", end_of_period=True) == dt.date(2026, 12, 31)


def test_vietnamese_alphabetical_order():
    words = ["Đoàn Thanh niên", "Chi bộ", "Ủy ban", "Dân quân", "Hội Phụ nữ", "Ấp", "An"]
    assert sorted(words, key=sort_key) == [
        "An",
        "Ấp",
        "Chi bộ",
        "Dân quân",
        "Đoàn Thanh niên",
        "Hội Phụ nữ",
        "Ủy ban",
    ]


def _ranks(value: str) -> tuple[int, ...]:
    """The order sort_key stands for, spelled out: each letter's place in the alphabet."""
    alphabet = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
    nfd = unicodedata.normalize("NFD", clean_text(value).casefold())
    base = unicodedata.normalize(
        "NFC", "".join(c for c in nfd if c not in "\u0300\u0301\u0309\u0303\u0323")
    )
    return tuple(
        200 + alphabet.index(c) if c in alphabet else ord(c) if ord(c) < 200 else 1000 + ord(c)
        for c in base
    )


@given(
    st.text(alphabet=st.sampled_from("aăâbdđeêoôơuưyAĂĐ áàảãạ-0123ÿ中"), max_size=8),
    st.text(max_size=8),
)
def test_sort_key_orders_as_the_alphabet_spelled_out(a, b):
    assert (sort_key(a)[0] < sort_key(b)[0]) == (_ranks(a) < _ranks(b))
    assert (sort_key(a)[0] == sort_key(b)[0]) == (_ranks(a) == _ranks(b))


# Each word in the spellings a keyboard may produce: old/new tone placement, NFC/NFD, case.
WORDS = [
    ("hoá", "hóa"),
    ("thuỷ", "thủy"),
    ("uỷ", "ủy"),
    ("khoẻ", "khỏe"),
    ("hoà", "hòa"),
    ("đường", "đường"),
    ("Đông", "ĐÔNG"),
    ("Dong", "dong"),
    ("thôn", "THÔN"),
    ("“", '"'),
    ("”", '"'),
    ("-", "–"),
]


@given(
    st.lists(st.tuples(st.sampled_from(WORDS), st.booleans(), st.booleans()), max_size=12),
    st.sampled_from([" ", "  ", "\t", " \u00a0"]),
)
def test_spellings_of_the_same_words_share_one_key(words, space):
    first = " ".join(pair[0] for pair, _, _ in words)
    second = space.join(
        unicodedata.normalize("NFD" if nfd else "NFC", pair[1] if other else pair[0])
        for pair, other, nfd in words
    )
    assert comparison_key(first) == comparison_key(second)
