"""Link stage: within this run's inbox, the same model from the same unit counts once."""

from __future__ import annotations

import pandas as pd

from pipeline.issues import Issue
from pipeline.normalize import comparison_key


def find_duplicates(rows: pd.DataFrame) -> tuple[pd.Series, list[Issue]]:
    """A mask of the rows that repeat an earlier row (same unit, same model name), and why.

    "Earlier" is the first by file name and Excel row, so the answer does not depend on the
    order in which files were read.
    """
    if rows.empty:
        return pd.Series(False, index=rows.index, dtype=bool), []
    keys = pd.DataFrame(
        {"unit": rows["unit"].map(comparison_key), "name": rows["name_key"]}, index=rows.index
    )
    ordered = rows.sort_values(["_file", "_row"], kind="stable").index
    keys = keys.loc[ordered]
    repeated = keys.duplicated(keep="first")
    first_of = keys.reset_index().groupby(["unit", "name"])["index"].first()
    issues = []
    for i in keys.index[repeated]:
        first = first_of[(keys.at[i, "unit"], keys.at[i, "name"])]
        where = f"{rows.at[first, '_row']}"
        if rows.at[first, "_file"] != rows.at[i, "_file"]:
            where += f" của tệp {rows.at[first, '_file']}"
        issues.append(
            Issue(
                file=rows.at[i, "_file"],
                sheet=rows.at[i, "_sheet"],
                row=int(rows.at[i, "_row"]),
                column="Tên mô hình",
                code="duplicate-model",
                value=rows.at[i, "name"],
                detail=where,
            )
        )
    return repeated.reindex(rows.index), issues
