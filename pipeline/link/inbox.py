"""Within one inbox: a model counts once, and a unit's later file replaces its earlier one."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from pipeline.issues import Code, Issue
from pipeline.normalize import comparison_key, model_key


def find_duplicates(rows: pd.DataFrame) -> tuple[pd.Series, list[Issue]]:
    """A mask of the rows that repeat an earlier row (same unit, same model name), and why.

    "Earlier" is the first by file name and Excel row, so the answer does not depend on the
    order in which files were read.
    """
    if rows.empty:
        return pd.Series(False, index=rows.index, dtype=bool), []
    # By core: "Mô hình “Tuyến đường hoa”" is "Tuyến đường hoa"; "… thôn 3" is not "… thôn 5".
    names = rows["name"].map(model_key)
    keys = pd.DataFrame({"unit": unit_keys(rows), "name": names}, index=rows.index)
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
        name = rows.at[i, "name"]
        issues.append(Issue.at_row(rows, i, Code.DUPLICATE_MODEL, "Tên mô hình", name, where))
    return repeated.reindex(rows.index), issues


def unit_keys(rows: pd.DataFrame) -> pd.Series:
    """Which unit each row is: its roster code when it has one (two communes' "Hội Nông dân
    xã" are two units), else its name's comparison key."""
    names = rows["unit"].map(comparison_key)
    if "unit_code" not in rows:
        return names
    codes = rows["unit_code"].fillna("").astype(str)
    return codes.where(codes.ne(""), names)


def supersede_units(
    rows: pd.DataFrame, sent_at: dict[str, dt.datetime | None]
) -> tuple[pd.DataFrame, list[Issue]]:
    """When two files bring rows of the same unit (a lower office's roll-up and the unit's own
    form), the rows of the file sent later are kept for that unit; the others are reported."""
    if rows.empty:
        return rows, []
    keys = unit_keys(rows)
    dropped = pd.Series(False, index=rows.index)
    issues = []
    # One plain pass, not groupby: a province has thousands of units, and pandas costs per group.
    files_of: dict[str, set[str]] = {}
    for unit, file in zip(keys.tolist(), rows["_file"].tolist(), strict=True):
        files_of.setdefault(unit, set()).add(file)
    for unit in sorted(u for u, found in files_of.items() if len(found) > 1):
        files = sorted(files_of[unit])
        latest = max(files, key=lambda f: (sent_at.get(f) or dt.datetime.min, f))
        for file in files:
            if file == latest:
                continue
            mine = (keys == unit) & (rows["_file"] == file)
            dropped |= mine
            first = rows.index[mine][0]
            issues.append(
                Issue(
                    file=file,
                    sheet=rows.at[first, "_sheet"],
                    code=Code.UNIT_SUPERSEDED,
                    value=rows.at[first, "unit"],
                    detail=latest,
                )
            )
    return rows[~dropped], issues
