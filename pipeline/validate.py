"""Validate stage: pandera schemas for the business rules, their failures turned into Issues."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from pipeline import forms
from pipeline.forms import CHOICE_LISTS, SheetSpec
from pipeline.issues import Code, Issue

R = forms.REGISTRATION
K = forms.RESULTS


def _codes(key: str, spec: SheetSpec = R) -> list[str]:
    """The closed list of a column, as declared in the form; blank allowed when optional."""
    column = _column(key, spec)
    return [*CHOICE_LISTS[column.choices][0], *([] if column.required else [""])]


def _length(key: str, spec: SheetSpec = R) -> dict:
    """Text length bounds of a column, as declared in the form; required means at least 1."""
    column = _column(key, spec)
    return {"min_value": 1 if column.required else 0, "max_value": column.max_len}


def _column(key: str, spec: SheetSpec) -> forms.Column:
    return next(c for c in spec.columns if c.key == key)


class _ModelRow(pa.DataFrameModel):
    """Columns both sheets share: who runs which model, where, in which field."""

    name: Series[str] = pa.Field(str_length=_length("name"))
    field: Series[str] = pa.Field(isin=_codes("field"))
    subject: Series[str] = pa.Field(isin=_codes("subject"))
    person: Series[str] = pa.Field(str_length=_length("person"))
    # NA: already reported. Above MAX_COUNT a row is a typing slip, not that many models.
    count: Series[pd.Int64Dtype] = pa.Field(ge=1, le=forms.MAX_COUNT, nullable=True)
    place: Series[str] = pa.Field(str_length=_length("place"))
    lead: Series[str] = pa.Field(str_length=_length("lead"))

    @pa.dataframe_check(name=Code.PERSON_REQUIRED)
    def person_named_for_individual(cls, df: pd.DataFrame) -> Series[bool]:
        # The seed annexes have no column for the person; only our template asks for one.
        asked = df["_form"] == "bieu_mau" if "_form" in df else True
        return ~((df["subject"] == "CA_NHAN") & (df["person"] == "") & asked)

    class Config:
        strict = False  # provenance columns ride along


class RegistrationSchema(_ModelRow):
    position: Series[str] = pa.Field(str_length=_length("position"))
    scale: Series[str] = pa.Field(str_length=_length("scale"))
    status: Series[str] = pa.Field(isin=_codes("status"))
    level: Series[str] = pa.Field(isin=_codes("level"))
    start: Series[pd.Timestamp] = pa.Field(nullable=True)
    end: Series[pd.Timestamp] = pa.Field(nullable=True)
    situation: Series[str] = pa.Field(str_length=_length("situation"))
    expected: Series[str] = pa.Field(str_length=_length("expected"))

    @pa.dataframe_check(name=Code.END_BEFORE_START)
    def ends_after_start(cls, df: pd.DataFrame) -> Series[bool]:
        return ~(df["end"] < df["start"]).fillna(False).astype(bool)


class ResultSchema(_ModelRow):
    results: Series[str] = pa.Field(str_length=_length("results", K))
    status: Series[str] = pa.Field(isin=_codes("status", K))
    self_assessment: Series[str] = pa.Field(isin=_codes("self_assessment", K))


SCHEMAS = {R.name: (RegistrationSchema, R), K.name: (ResultSchema, K)}

# Which column a dataframe-level check points at, for the cell a unit has to fix.
_FRAME_CHECK_COLUMN = {Code.PERSON_REQUIRED: "person", Code.END_BEFORE_START: "end"}
# pandera names a check inherited from _ModelRow by its function once the other sheet's schema
# has been built (Kết quả validated before Đăng ký, in one process): the same rule.
_FRAME_CHECK_FUNCTIONS = {
    _ModelRow.person_named_for_individual.__name__: Code.PERSON_REQUIRED,
    RegistrationSchema.ends_after_start.__name__: Code.END_BEFORE_START,
}


def validate_rows(rows: pd.DataFrame, sheet: str, year: int) -> list[Issue]:
    """Every rule broken by every row, collected lazily; the frame needs a plain integer index."""
    if rows.empty:
        return []
    schema, spec = SCHEMAS[sheet]
    headers = {c.key: c.header for c in spec.columns}
    issues = []
    try:
        schema.validate(rows, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases.dropna(subset=["index"])
        for case in cases.itertuples():
            index = int(case.index)
            key = case.column if isinstance(case.column, str) else None
            code, key = _issue_code(str(case.check), key, rows.at[index, key] if key else "")
            issues.append(_issue_at(rows, index, code, headers.get(key, ""), key, spec))
    if sheet == R.name:
        issues += _starts_after_year(rows, year)
    return sorted(set(issues), key=lambda i: (i.file, i.row or 0, i.column, i.code))


def _issue_code(check: str, key: str | None, value: object) -> tuple[str, str | None]:
    check = _FRAME_CHECK_FUNCTIONS.get(check, check)
    if check in _FRAME_CHECK_COLUMN:
        return check, _FRAME_CHECK_COLUMN[check]
    empty = value == "" or value is None
    if check.startswith("isin"):
        return (Code.REQUIRED if empty else Code.NOT_IN_LIST), key
    if check.startswith("str_length"):
        return (Code.REQUIRED if empty else Code.TOO_LONG), key
    if check.startswith("greater_than_or_equal_to"):
        return Code.NOT_WHOLE_NUMBER, key
    if check.startswith("less_than_or_equal_to"):
        return Code.COUNT_IMPLAUSIBLE, key
    raise ValueError(f"no issue code for pandera check {check!r}")  # a schema we forgot to map


def _issue_at(rows, index, code, header, key, spec) -> Issue:
    value = rows.at[index, key] if key else ""
    max_len = next((c.max_len for c in spec.columns if c.key == key), "")
    detail = {Code.TOO_LONG: str(max_len), Code.COUNT_IMPLAUSIBLE: str(forms.MAX_COUNT)}
    shown = "" if pd.isna(value) else str(value)
    return Issue.at_row(rows, index, code, header, shown, detail.get(code, ""))


def _starts_after_year(rows: pd.DataFrame, year: int) -> list[Issue]:
    late = rows["start"].dt.year > year
    return _dates_out_of_campaign(rows, year) + [
        Issue.at_row(
            rows,
            i,
            Code.START_AFTER_YEAR,
            R.header("start"),
            rows.at[i, "start"].strftime("%d/%m/%Y"),
            str(year),
        )
        for i in rows.index[late.fillna(False)]
    ]


def _dates_out_of_campaign(rows: pd.DataFrame, year: int) -> list[Issue]:
    """A start or end more than forms.CAMPAIGN_YEARS from the year is a typing slip (1926,
    2206), never a date to print in a signed annex."""
    found = []
    for key in ("start", "end"):
        years = rows[key].dt.year
        wrong = (years < year - forms.CAMPAIGN_YEARS) | (years > year + forms.CAMPAIGN_YEARS)
        found += [
            Issue.at_row(
                rows,
                i,
                Code.DATE_IMPLAUSIBLE,
                R.header(key),
                rows.at[i, key].strftime("%d/%m/%Y"),
                str(year),
            )
            for i in rows.index[wrong.fillna(False)]
        ]
    return found
