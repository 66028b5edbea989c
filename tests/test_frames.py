"""records() is DataFrame.to_dict("records"), value for value and type for type."""

import math

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.pandas import column, data_frames

from pipeline.frames import records


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


@given(
    data_frames(
        [
            column("text", elements=st.one_of(st.none(), st.text(max_size=5))),
            column("count", dtype=np.int64),
            column("share", dtype=float),
            column("ticked", dtype=bool),
        ]
    )
)
def test_records_equal_to_dict(frame):
    expected = frame.to_dict("records")
    got = records(frame)
    assert len(got) == len(expected)
    for mine, theirs in zip(got, expected, strict=True):
        assert list(mine) == list(theirs)
        assert all(_same(mine[k], theirs[k]) for k in theirs)


def test_records_of_dates_and_of_no_columns():
    frame = pd.DataFrame({"sent": pd.to_datetime(["2026-03-31", None]), "n": [1, 2]})
    assert records(frame)[0] == frame.to_dict("records")[0]
    assert type(records(frame)[1]["sent"]) is type(frame.to_dict("records")[1]["sent"])
    assert records(pd.DataFrame(index=range(2))) == [{}, {}]
