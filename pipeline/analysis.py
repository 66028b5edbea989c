"""Analysis: what the outputs and the summary say about a run, computed apart from any writer.

Who sent and when, each node's rates, last year against this year, what a person must decide.
Plain functions over the run's frames; the writers in report/ only lay these out.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from pipeline import forms, vocab
from pipeline.config import Config
from pipeline.consolidate import HAS_ERRORS, UNREADABLE, RunResult
from pipeline.link import CLAIMED, DECIDED_NEW, DECIDED_OLD, REVIEW
from pipeline.normalize import model_key, sort_key
from pipeline.roster import Roster, match_units

NOT_SENT, WITH_ERRORS, RECEIVED = "Chưa gửi", "Có lỗi", "Đã tiếp nhận"
ON_TIME, LATE, UNKNOWN = "Đúng hạn", "Trễ hạn", "Không rõ"
FORMS = (("registration", forms.REGISTRATION.name), ("results", forms.RESULTS.name))
COUNTS = ("registered", "effective", "kept", "dropped", "new", "total")


def unit_status(result: RunResult, roster: Roster, cfg: Config) -> pd.DataFrame:
    """One row per roster unit that is expected to send forms (a unit with none under it).

    Worked out once per run: the letters, the completeness workbook and the run's summary each
    ask for it (0.2 s each for a province). A run's result is not changed once made."""
    last = _LAST_STATUS.get("of")
    if last is not None and last[0] is result and last[1] is roster and last[2] == cfg:
        return last[3].copy()
    units = _unit_status(result, roster, cfg)
    _LAST_STATUS["of"] = (result, roster, cfg, units)
    return units.copy()


_LAST_STATUS: dict[str, tuple] = {}  # "of": (result, roster, cfg, its unit_status)


def _unit_status(result: RunResult, roster: Roster, cfg: Config) -> pd.DataFrame:
    sent = _sent_times(result)
    troubled = _troubled_units(result, roster)
    deadlines = {"registration": cfg.registration_deadline, "results": cfg.results_deadline}
    frames = {"registration": result.registrations, "results": result.results}
    # Each unit's files per form, found in one pass (not one scan of every row per unit).
    sent_by = {form: _by_unit(frame) for form, frame in frames.items()}
    nodes = {u.code for u in roster.nodes()}
    rows = []
    for unit in roster.units.values():
        if unit.code in nodes:
            continue
        row = {
            "code": unit.code,
            "name": unit.name,
            "kind": vocab.UNIT_KINDS.get(unit.kind, ""),
            "parent": roster.units[unit.parent].name if unit.parent in roster.units else "",
            "top": roster.top_of(unit.code),
            "quota": unit.quota,
            "email": unit.email,
        }
        for form, _ in FORMS:
            files, models = sent_by[form].get(unit.code, ([], 0))
            when = min((sent[f] for f in files if sent.get(f)), default=None)
            status = NOT_SENT if not files else RECEIVED
            if unit.code in troubled[form]:
                status = WITH_ERRORS
            deadline = deadlines[form]
            if not files or deadline is None:
                timely = ""
            elif when is None:  # saved from somewhere, not e-mailed: no date to trust
                timely = UNKNOWN
            else:
                timely = ON_TIME if when.date() <= deadline else LATE
            row |= {
                f"{form}_status": status,
                f"{form}_sent": when.strftime("%d/%m/%Y") if when else "",
                f"{form}_timely": timely,
                f"{form}_models": models,
            }
        row["quota_met"] = row["registration_models"] >= unit.quota
        rows.append(row)
    return pd.DataFrame(rows)


def _sent_times(result: RunResult) -> dict[str, dt.datetime]:
    """When each e-mailed file was sent. A file's own time says when it was saved, which staff
    often do days later, so it does not decide whether a unit was on time."""
    times = {}
    for account in result.files:
        if account.sent and account.sender:
            times[account.file] = dt.datetime.strptime(account.sent, "%d/%m/%Y %H:%M")
    return times


def _troubled_units(result: RunResult, roster: Roster) -> dict[str, set[str]]:
    """Roster units whose file of each form has errors or could not be read."""
    bad_files = {f.file for f in result.files if f.status in (HAS_ERRORS, UNREADABLE)}
    codes = match_units(sorted({f.unit for f in result.files if f.unit}), roster)
    by_file = {f.file: codes.get(f.unit) for f in result.files}
    troubled = {"registration": set(), "results": set()}
    sheets = dict((name, form) for form, name in FORMS)
    for issue in result.issues:
        if issue.file in bad_files and by_file.get(issue.file):
            form = sheets.get(issue.sheet)
            for key in [form] if form else list(troubled):
                troubled[key].add(by_file[issue.file])
    return troubled


def _by_unit(frame: pd.DataFrame) -> dict[str, tuple[list[str], int]]:
    """Unit code -> (the files its rows came from, how many rows)."""
    if "unit_code" not in frame or frame.empty:
        return {}
    # One plain pass, not groupby: a province has thousands of units, and pandas costs per group.
    files: dict[str, list[str]] = {}
    for code, file in zip(frame["unit_code"], frame["_file"], strict=True):
        if isinstance(code, str):  # as groupby, rows without a code are left out
            files.setdefault(code, []).append(file)
    return {code: (sorted(set(found)), len(found)) for code, found in sorted(files.items())}


def node_rates(units: pd.DataFrame, roster: Roster, cfg: Config) -> pd.DataFrame:
    """Per node (the office, then each unit with units under it): reporting and on-time rates.

    The on-time rate is over the units whose sending date is known (e-mailed files); the
    others are counted apart, as "unknown"."""
    nodes = [("", cfg.office_name)] + [(u.code, u.name) for u in roster.nodes()]
    rows = []
    subtrees = roster.subtrees()
    for code, name in nodes:
        inside = {u.code for u in subtrees[code]} if code else set(roster.units)
        mine = units[units["code"].isin(inside)]
        expected = len(mine)
        sent = int(mine["registration_status"].ne(NOT_SENT).sum())
        on_time = int(mine["registration_timely"].eq(ON_TIME).sum())
        late = int(mine["registration_timely"].eq(LATE).sum())
        rows.append(
            {
                "name": name,
                "expected": expected,
                "sent": sent,
                "reporting_rate": _rate(sent, expected),
                "on_time": on_time,
                "late": late,
                # A file not e-mailed has no date to trust: neither on time nor late.
                "unknown": int(mine["registration_timely"].eq(UNKNOWN).sum()),
                "on_time_rate": _rate(on_time, on_time + late),
                "models": int(mine["registration_models"].sum()),
                "quota": int(mine["quota"].sum()),
                "below_quota": int((~mine["quota_met"]).sum()),
            }
        )
    return pd.DataFrame(rows)


def _rate(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def targets(units: pd.DataFrame, cfg: Config) -> list[tuple[str, str, str, str]]:
    """(target, goal, reached, met) for the office's own targets in dvk.toml, [muc_tieu]."""
    found = []
    if cfg.target_models is not None:
        total = int(units["registration_models"].sum())
        found.append(("Tổng số mô hình đăng ký", f"≥ {cfg.target_models}", str(total),
                      "Đạt" if total >= cfg.target_models else "Chưa đạt"))  # fmt: skip
    if cfg.target_chi_bo_share is not None:
        chi_bo = units[units["kind"] == vocab.UNIT_KINDS["CHI_BO"]]
        share = _rate(int((chi_bo["registration_models"] >= 1).sum()), len(chi_bo))
        met = "Đạt" if share >= cfg.target_chi_bo_share else "Chưa đạt"
        found.append(("Tỷ lệ chi bộ có mô hình (%)", f"≥ {cfg.target_chi_bo_share:g}",
                      f"{share:g}", met))  # fmt: skip
    return found


def compare_years(result: RunResult) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Counts per unit and per field, and the list of last year's models not kept.

    Last year's models are those the registry holds for year - 1 (registered or reported).
    A model is kept when one of this year's registrations is linked to it; this year's
    "duy trì" and "mới" are Phụ lục 1's sections, so the counts agree with it.
    """
    history, year = result.history, result.year
    earlier = history.earlier
    last = earlier[earlier["year"] == year - 1]
    registered = last[last["kind"] == "registrations"]
    base = registered if not registered.empty else last  # only a Phụ lục 4 was imported
    base = base.drop_duplicates("model_id")
    effective = set(last.loc[last["kind"] == "results", "model_id"])
    now = result.registrations
    linked = set(now["model_id"].dropna()) if "model_id" in now else set()
    before = pd.DataFrame(
        {
            "unit": base["unit"].tolist(),
            "unit_key": [history.canonical_unit(u) for u in base["unit"].tolist()],
            "field": base["field"].tolist(),
            "name": base["name"].tolist(),
            "effective": base["model_id"].isin(effective).tolist(),
            "kept": base["model_id"].isin(linked).tolist(),
        }
    )
    after = pd.DataFrame(
        {
            "unit": now["unit"].tolist(),
            "unit_key": [history.canonical_unit(u) for u in now["unit"].tolist()],
            "field": now["field"].tolist(),
            "status": now["status"].tolist(),
        }
    )
    dropped = before[~before["kept"]].copy()
    return (
        _counts(before, after, "unit_key", _unit_names(before, after)),
        _counts(before, after, "field", {f.code: f.label for f in vocab.FIELDS}),
        _by_unit_and_name(dropped),
    )


def _by_unit_and_name(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows in Vietnamese order of unit, then name; equal ones as they were. Sorted in
    Python: pandas sorting the keys' tuples took 0.15 s for a province's 20,000 models."""
    units, names = rows["unit_key"].tolist(), rows["name"].tolist()
    order = sorted(range(len(rows)), key=lambda i: (sort_key(units[i]), sort_key(names[i])))
    return rows.iloc[order]


def _unit_names(before: pd.DataFrame, after: pd.DataFrame) -> dict[str, str]:
    """A unit's name as written this year (unless in capitals), else as written last year."""
    names = dict(zip(before["unit_key"].tolist(), before["unit"].tolist(), strict=True))
    for key, name in zip(after["unit_key"].tolist(), after["unit"].tolist(), strict=True):
        if not (name.isupper() and key in names):  # "HỘI NGƯỜI CAO TUỔI XÃ" typed in capitals
            names[key] = name
    return names


def _counts(before, after, by: str, labels: dict[str, str]) -> pd.DataFrame:
    keys = set(before[by].tolist()) | set(after[by].tolist())
    table = pd.DataFrame(
        {
            "registered": before.groupby(by).size(),
            "effective": before[before["effective"]].groupby(by).size(),
            "kept": after[after["status"] == "DUY_TRI"].groupby(by).size(),
            "dropped": before[~before["kept"]].groupby(by).size(),
            "new": after[after["status"] == "MOI"].groupby(by).size(),
            "total": after.groupby(by).size(),
        },
        index=sorted(keys, key=lambda k: _order(by, k, labels)),
        columns=list(COUNTS),
    )
    table = table.fillna(0).astype(int)
    table.insert(0, "label", [labels.get(k, k) for k in table.index])
    return table


def _order(by: str, key: str, labels: dict[str, str]) -> tuple:
    return (vocab.FIELD_ORDER.get(key, 99),) if by == "field" else sort_key(labels.get(key, key))


def maintenance_rate(registered: int, dropped: int) -> float | str:
    """The share of last year's models that one of this year's continues: at most 100%.

    Not "continuing ÷ registered": this year's section I may also hold models older than last
    year, or a unit's own "Duy trì" the registry could not tie to last year."""
    return round(100 * (registered - dropped) / registered, 1) if registered else ""


def review_rows(result: RunResult, claimed: bool = False) -> pd.DataFrame:
    """One row per model a person must (or did) decide on; a model in both sheets once.

    With `claimed`, instead, the models decided as their unit ticked because the earlier model
    closest to them went to another of the unit's models: told, not asked.
    """
    history = result.history
    frames = []
    for sheet, rows in (
        (forms.REGISTRATION.name, result.registrations),
        (forms.RESULTS.name, result.results),
    ):
        if rows.empty or "link" not in rows:
            continue
        asked = rows["link"].isin([REVIEW, DECIDED_OLD, DECIDED_NEW])
        if claimed:
            reasons = rows.get("review_reason", pd.Series("", index=rows.index)).fillna("")
            asked = reasons.eq(CLAIMED) & ~asked
        chosen = rows[asked].copy()
        chosen["sheet"] = sheet
        frames.append(chosen)
    if not frames:
        return pd.DataFrame(columns=["unit", "name", "sheet", "unit_key", "name_key"])
    listed = pd.concat(frames, ignore_index=True)
    listed["unit_key"] = listed["unit"].map(history.canonical_unit)
    listed["name_key"] = listed["name"].map(model_key)
    return listed.drop_duplicates(["unit_key", "name_key"]).reset_index(drop=True)


def completeness(result: RunResult, cfg: Config) -> dict:
    """The office's own line of the completeness workbook, for the summary and --json."""
    units = unit_status(result, result.roster, cfg)
    office = node_rates(units, result.roster, cfg).iloc[0]
    return {
        "so_don_vi": int(office["expected"]),
        "da_gui": int(office["sent"]),
        "ty_le_gui": float(office["reporting_rate"]),
        "gui_dung_han": int(office["on_time"]),
        "gui_tre_han": int(office["late"]),
        "khong_ro_ngay_gui": int(office["unknown"]),
        "chua_gui": units.loc[units["registration_status"] == NOT_SENT, "name"].tolist(),
        "chua_du_chi_tieu": units.loc[~units["quota_met"], "name"].tolist(),
    }
