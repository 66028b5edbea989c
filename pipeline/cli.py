"""The `dvk` command: the only module that knows click; each command calls the library."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
import sqlite3
import sys
from pathlib import Path
from typing import ClassVar

import click
import pandas as pd

from pipeline import forms
from pipeline.config import (
    Config,
    ConfigError,
    Workspace,
    load_config,
    parse_period,
    write_default_config,
)
from pipeline.consolidate import (
    ACCEPTED,
    HAS_ERRORS,
    STATUSES,
    UNREADABLE,
    RunFailed,
    RunResult,
    consolidate,
    read_history,
)
from pipeline.excel import ExcelUnavailable, open_in_excel
from pipeline.ingest import find_inbox_files
from pipeline.ingest.decisions import read_decisions, read_unit_answers
from pipeline.ingest.roster_reader import read_roster
from pipeline.link import History
from pipeline.registry import (
    FileRecord,
    RegistryError,
    backup_registry,
    load_carried,
    load_history,
    load_unit_answers,
    open_registry,
    record_year,
    registered_models,
    store_answers,
    years_on_record,
)
from pipeline.report import output_folder, output_stamp, owned_outputs, review_path, write_outputs
from pipeline.report.completeness import node_rates, unit_status
from pipeline.report.intake import write_intake
from pipeline.report.staging import OutputLocked, Staging
from pipeline.report.template import (
    score_template_path,
    template_path,
    write_keeping_filled,
    write_roster_template,
    write_score_template,
    write_template,
)
from pipeline.roster import Roster, build_roster
from pipeline.rules import DEFAULT_SHEET, ScoreSheetError, ScoringRules, load_score_sheet

EXIT_FATAL = 3
REGISTRY_BACKUP = "dvk_sao_luu.sqlite"  # in luu_tru/: the registry as it was before the last run


class Fatal(click.ClickException):
    "The run could not finish (exit code 3)"

    exit_code = EXIT_FATAL

    def show(self, file=None) -> None:
        click.secho(f"Lỗi: {self.message}", file=file or sys.stderr, fg="red")


class VietnameseHelpFormatter(click.HelpFormatter):
    """click's own help headings, in the language of the people who read them."""

    HEADINGS: ClassVar[dict[str, str]] = {
        "Options": "Tùy chọn",
        "Commands": "Lệnh",
        "Arguments": "Tham số",
    }

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "Cách dùng: ")

    def write_heading(self, heading: str) -> None:
        super().write_heading(self.HEADINGS.get(heading, heading))


click.Context.formatter_class = VietnameseHelpFormatter


def _help_option(command):
    return click.help_option("-h", "--help", help="Xem hướng dẫn lệnh này.")(command)


workspace_option = click.option(
    "--workspace",
    "-w",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    metavar="THƯ_MỤC",
    help="Thư mục làm việc (có inbox/, outbox/, dvk.toml); mặc định là thư mục hiện tại.",
)


@click.group(options_metavar="[TÙY_CHỌN]", subcommand_metavar="LỆNH [THAM_SỐ]...")
@_help_option
@click.version_option(package_name="dvk-pipeline", message="dvk %(version)s", help="Xem phiên bản.")
def main() -> None:
    """Tổng hợp mô hình “Dân vận khéo” từ biểu mẫu Excel của các đơn vị.

    Ví dụ:

        dvk init D:\\DanVanKheo

        dvk templates -w D:\\DanVanKheo

        dvk consolidate -w D:\\DanVanKheo
    """


@main.command(options_metavar="[TÙY_CHỌN]")
@_help_option
@click.argument(
    "directory", type=click.Path(file_okay=False, path_type=Path), default=".", metavar="THƯ_MỤC"
)
@click.option(
    "--year", type=int, default=None, metavar="NĂM", help="Năm tổng hợp (mặc định: năm nay)."
)
@click.option(
    "--office", default="", metavar="TÊN", help='Tên đơn vị tổng hợp, ví dụ "BAN XÂY DỰNG ĐẢNG".'
)
@click.option(
    "--place", default="", metavar="ĐỊA_DANH", help='Địa danh ở dòng ngày tháng, ví dụ "Diễn Châu".'
)
def init(directory: Path, year: int | None, office: str, place: str) -> None:
    """Tạo thư mục làm việc: inbox/, outbox/, templates/xlsx/, tệp cấu hình dvk.toml và biểu
    chấm điểm cham_diem.toml.

    Ví dụ: dvk init D:\\DanVanKheo --year 2026
    """
    ws = Workspace(directory)
    for folder in (ws.inbox, ws.outbox, ws.templates):
        folder.mkdir(parents=True, exist_ok=True)
    if ws.config_path.exists():
        click.echo(f"Đã có tệp cấu hình {ws.config_path}, giữ nguyên.")
    else:
        write_default_config(ws.config_path, year or dt.date.today().year, office, place)
        click.echo(f"Đã tạo {ws.config_path}. Hãy mở tệp này, sửa tên đơn vị và người ký.")
    if not ws.score_sheet.exists():  # the office's own copy of the criteria, to change if need be
        ws.score_sheet.write_bytes(DEFAULT_SHEET.read_bytes())
        click.echo(
            f"Đã tạo {ws.score_sheet} (biểu chấm điểm 100 điểm; "
            "sửa nếu văn phòng dùng tiêu chí khác)."
        )
    click.echo(f"Thư mục làm việc: {ws.root.resolve()}")


@main.command(options_metavar="[TÙY_CHỌN]")
@_help_option
@workspace_option
def templates(workspace: Path) -> None:
    """Tạo biểu mẫu gửi các đơn vị và biểu chấm điểm mô hình (vào templates/xlsx/).

    Ví dụ: dvk templates -w D:\\DanVanKheo
    """
    ws = Workspace(workspace)
    cfg = _config(ws)
    scoring = _scoring(ws, cfg)
    path = template_path(ws.templates, cfg.year)
    written = _guard_write(
        lambda: write_keeping_filled(path, lambda p: write_template(p, cfg)), path
    )
    _say_written("biểu mẫu", path, *written)
    models = None
    if ws.registry.exists():  # this year's registered models, one row each to score
        conn = _registry(ws)
        models = registered_models(conn, cfg.year)
        conn.close()
    scores = score_template_path(ws.templates, cfg.year)
    written = _guard_write(
        lambda: write_keeping_filled(
            scores, lambda p: write_score_template(p, cfg, scoring, models)
        ),
        scores,
    )
    listed = (
        f" (đã ghi sẵn {len(models)} mô hình đăng ký năm {cfg.year})"
        if models is not None and len(models)
        else ""
    )
    _say_written("biểu chấm điểm", scores, *written, listed)
    roster = ws.root / forms.ROSTER_FILENAME
    if roster.exists():  # the office's own data: never written over
        click.echo(f"Đã có danh mục đơn vị {roster}, giữ nguyên.")
    else:
        _guard_write(lambda: write_roster_template(roster, cfg), roster)
        click.echo(f"Đã tạo danh mục đơn vị (điền một lần): {roster}")


def _say_written(what: str, path: Path, written: Path, replaced: bool, more: str = "") -> None:
    if replaced:
        click.echo(f"Đã tạo {what}: {written}{more}")
    else:
        click.secho(
            f"{path.name} đã có người điền, giữ nguyên. Đã tạo {what} mới: {written}{more}",
            fg="yellow",
        )


@main.command(name="consolidate", options_metavar="[TÙY_CHỌN]")
@_help_option
@workspace_option
@click.option(
    "--year",
    type=int,
    default=None,
    metavar="NĂM",
    help="Năm tổng hợp (mặc định: mục nam trong dvk.toml).",
)
@click.option(
    "--period",
    default=None,
    metavar="KỲ",
    help="Kỳ tổng hợp, ví dụ 2026-Q1: kết quả lưu riêng trong outbox/2026/Q1/.",
)
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON (cho máy đọc).")
@click.option("--open", "open_excel", is_flag=True, help="Mở Phụ lục 1 và Phụ lục 4 bằng Excel.")
def consolidate_command(
    workspace: Path, year: int | None, period: str | None, as_json: bool, open_excel: bool
) -> None:
    """Đọc mọi tệp trong inbox/, kiểm tra và lập Phụ lục 1, Phụ lục 4 vào outbox/.

    Mã thoát: 0 mọi tệp hợp lệ; 1 đã tổng hợp nhưng có tệp lỗi; 2 sai cú pháp lệnh;
    3 không chạy được.

    Ví dụ: dvk consolidate -w D:\\DanVanKheo
    """
    ws = Workspace(workspace)
    quarter = None
    if period:
        try:
            period_year, quarter = parse_period(period)
        except ConfigError as e:
            raise click.BadParameter(str(e), param_hint="--period") from e
        if year and year != period_year:
            raise Fatal(f"--year {year} và --period {period} không cùng năm.")
        year = period_year
    cfg = dataclasses.replace(_config(ws, year), period=quarter)
    if not ws.inbox.is_dir():
        raise Fatal(f"Không thấy thư mục {ws.inbox}. Chạy “dvk init” trước.")
    conn = _registry(ws, guarded=True)
    review = review_path(ws.outbox, cfg.year, quarter)
    answers, answer_issues = read_decisions(review)
    typed_units = read_unit_answers(review)
    # A person's answers are stored first: a run stopped later, at any point, keeps them.
    _guard_registry(lambda: store_answers(conn, cfg.year, answers, typed_units), ws)
    # Which unit a name the roster lacks is: answered once, kept in the registry.
    units_answered = load_unit_answers(conn) | typed_units
    roster, roster_issues = _roster(ws, cfg, units_answered, review.name)
    history = _history(conn, cfg, roster).with_decisions(answers)
    scoring = _scoring(ws, cfg)
    total = len(find_inbox_files(ws.inbox))
    with (
        click.progressbar(
            length=total, label="Đang đọc tệp", file=sys.stderr, show_pos=True
        ) as bar,
        _what_was_read(ws, cfg, conn),
    ):
        result = consolidate(
            ws.inbox,
            cfg.year,
            on_file=lambda _path: bar.update(1),
            archive_to=ws.archive / dt.date.today().isoformat(),
            history=history,
            rules=cfg.link_rules,
            scoring=scoring,
            roster=roster,
            carried=load_carried(conn, cfg.year, quarter) if quarter else None,
            zone=cfg.zone,
        )
    result.issues += roster_issues + answer_issues
    paths = _publish(conn, ws, result, cfg, scoring, answers, units_answered)
    summary = result.summary() | {"tep_ket_qua": {k: str(p) for k, p in paths.items()}}
    if roster:
        summary["tinh_hinh"] = _completeness(result, roster, cfg)
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        _print_summary(summary, paths)
    if open_excel:
        try:
            open_in_excel([paths["phu_luc_1"], paths["phu_luc_4"]])
        except ExcelUnavailable as e:
            click.secho(f"Không mở được Excel: {e}", fg="yellow", err=True)
    sys.exit(result.exit_code)


@main.group(options_metavar="[TÙY_CHỌN]", subcommand_metavar="LỆNH [THAM_SỐ]...")
@_help_option
def history() -> None:
    """Dữ liệu các năm trước (sổ theo dõi mô hình dvk.sqlite trong thư mục làm việc)."""


@history.command(name="import", options_metavar="[TÙY_CHỌN]")
@_help_option
@click.argument(
    "files",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="TỆP...",
)
@click.option("--year", type=int, required=True, metavar="NĂM", help="Năm của các tệp, ví dụ 2025.")
@workspace_option
def history_import(files: tuple[Path, ...], year: int, workspace: Path) -> None:
    """Nạp Phụ lục 1 hoặc Phụ lục 4 đã tổng hợp của năm trước vào sổ theo dõi.

    Dùng để nhận biết mô hình nào năm nay là mô hình cũ tiếp tục duy trì. Nạp lại cùng một
    tệp không làm trùng dữ liệu.

    Ví dụ: dvk history import Phu_luc_1_2025.xlsx --year 2025 -w D:\\DanVanKheo
    """
    ws = Workspace(workspace)
    cfg = _config(ws, year)
    conn = _registry(ws, guarded=True)
    result = read_history(list(files), year, _history(conn, cfg), cfg.link_rules)
    _record(conn, ws, result, "lich_su", {}, replace=False)
    click.echo(
        f"Đã nạp vào sổ theo dõi năm {year}: {len(result.registrations)} mô hình đăng ký, "
        f"{len(result.results)} mô hình báo cáo kết quả, từ {len(result.files)} tệp."
    )
    for account in result.files:
        if account.status == UNREADABLE or not account.registrations + account.results:
            click.secho(f"  - {account.file}: không nạp được. {account.reason}", fg="yellow")
    if result.issues:
        click.echo(f"Lưu ý: {len(result.issues)} dòng thiếu hoặc sai thông tin (vẫn được nạp):")
        _print_issues([i.to_dict() for i in result.issues], limit=10)
    sys.exit(result.exit_code)


@history.command(name="list", options_metavar="[TÙY_CHỌN]")
@_help_option
@workspace_option
def history_list(workspace: Path) -> None:
    """Xem sổ theo dõi đang có dữ liệu những năm nào.

    Ví dụ: dvk history list -w D:\\DanVanKheo
    """
    ws = Workspace(workspace)
    if not ws.registry.exists():
        click.echo(
            f"Chưa có sổ theo dõi ({ws.registry}). "
            "Chạy “dvk history import” hoặc “dvk consolidate”."
        )
        return
    conn = _registry(ws)
    rows = years_on_record(conn)
    conn.close()
    sources = {"tong_hop": "dvk consolidate", "lich_su": "nạp từ Phụ lục"}
    for year, source, registrations, results in rows:
        click.echo(
            f"Năm {year}: {registrations} mô hình đăng ký, {results} mô hình báo cáo kết quả "
            f"({sources.get(source, source)})."
        )
    if not rows:
        click.echo("Sổ theo dõi chưa có dữ liệu năm nào.")


def _scoring(ws: Workspace, cfg: Config) -> ScoringRules:
    own = ws.score_sheet if ws.score_sheet.exists() else None
    try:
        sheet = load_score_sheet(own)
    except ScoreSheetError as e:
        raise Fatal(str(e)) from e
    return cfg.scoring_rules(sheet)


def _history(conn: sqlite3.Connection, cfg: Config, roster: Roster | None = None) -> History:
    # Former names come from dvk.toml and from the roster's "Tên cũ" column.
    renames = cfg.renamed_units() | (roster.renames() if roster else {})
    return load_history(conn, cfg.year, renames)


def _roster(ws: Workspace, cfg: Config, answered=None, review: str = "") -> tuple[Roster, list]:
    rows, issues = read_roster(ws.root / forms.ROSTER_FILENAME)
    roster, found = build_roster(rows, cfg.quotas, forms.ROSTER_FILENAME)
    if roster and answered:
        roster, unknown = roster.with_answers(answered, review)
        found += unknown
    return roster, issues + found


def _registry(ws: Workspace, guarded: bool = False) -> sqlite3.Connection:
    """The registry. With `guarded`, a registry gone or emptied while the workspace shows it
    had one (earlier outputs, or its backup) stops the run: recreating it would lose the
    history silently. Then the registry is backed up before the run changes it."""
    backup = ws.archive / REGISTRY_BACKUP
    lost = not ws.registry.exists() or ws.registry.stat().st_size == 0
    if guarded and lost and (backup.exists() or any(ws.outbox.glob("*/*.xlsx"))):
        how = (
            f"chép {backup} thành {ws.registry} (bản sao tự động trước lần chạy gần nhất)"
            if backup.exists()
            else f"chép lại {ws.registry.name} từ bản sao lưu của văn phòng"
        )
        raise Fatal(
            f"Không thấy sổ theo dõi {ws.registry} (hoặc tệp rỗng), trong khi thư mục làm việc "
            f"đã có kết quả các lần trước. Để khôi phục: {how}, rồi chạy lại. Nếu muốn bắt đầu "
            "lại từ đầu, đổi tên thư mục outbox và luu_tru trước."
        )
    try:
        conn = open_registry(ws.registry)
        if guarded and not lost:
            backup_registry(conn, backup)
        return conn
    except RegistryError as e:
        raise Fatal(str(e)) from e
    except (sqlite3.Error, OSError) as e:
        raise Fatal(f"Không mở được sổ theo dõi {ws.registry.name} ({e}).") from e


@contextlib.contextmanager
def _what_was_read(ws: Workspace, cfg: Config, conn):
    """A fault of the tool after reading: the intake of what it had read, in a file of its own
    (no output of an earlier run is touched), and a message that says where it is."""
    try:
        yield
    except RunFailed as failed:
        conn.close()
        if os.environ.get("DVK_DEBUG"):
            raise
        stamp = output_stamp(cfg.year, cfg.period)
        path = output_folder(ws.outbox, cfg.year, cfg.period) / f"Tiep_nhan_{stamp}_chua_xong.xlsx"
        partial = RunResult(cfg.year, pd.DataFrame(), pd.DataFrame(), failed.files, [])
        error = failed.__cause__
        with contextlib.suppress(OSError):
            write_intake(path, partial, cfg)
        raise Fatal(
            f"công cụ gặp sự cố sau khi đọc {len(failed.files)} tệp ({type(error).__name__}: "
            f"{error}). Chưa thay đổi gì trong outbox và sổ theo dõi; danh sách các tệp đã đọc "
            f"ở {path}. Chạy lại với DVK_DEBUG=1 và gửi toàn bộ thông báo cho người phụ trách "
            "kỹ thuật."
        ) from error


def _guard_registry(write, ws: Workspace) -> None:
    try:
        write()
    except sqlite3.Error as e:
        raise Fatal(
            f"Không ghi được sổ theo dõi {ws.registry.name} ({e}); sổ vẫn giữ như trước. Đóng "
            "các chương trình đang mở tệp đó rồi chạy lại."
        ) from e


def _publish(conn, ws: Workspace, result: RunResult, cfg: Config, scoring, answers, units):
    """Outputs written aside, then moved into the outbox and the registry committed together:
    a run either finishes or leaves both as they were (a locked output is found first)."""
    staging = Staging(ws.root, ws.outbox)
    try:
        staged = _guard_write(
            lambda: write_outputs(result, cfg, staging.staged_outbox, scoring, cfg.period),
            ws.outbox,
        )
        stale = [
            p for p in owned_outputs(ws.outbox, cfg.year, cfg.period) if staging.final_of(p) is None
        ]
        try:
            staging.check_unlocked(stale)
        except OutputLocked as e:
            conn.close()
            raise Fatal(str(e)) from e
        publish = lambda: _guard_write(lambda: staging.publish(stale), ws.outbox)  # noqa: E731
        try:
            _record(conn, ws, result, "tong_hop", answers, cfg.period, publish, unit_answers=units)
        except Fatal:
            staging.undo()  # the registry did not commit: the outbox goes back as it was
            raise
    finally:
        staging.clean()
    return {key: staging.final(path) for key, path in staged.items()}


def _record(
    conn,
    ws: Workspace,
    result: RunResult,
    source: str,
    answers,
    period=None,
    publish=None,
    *,
    replace=True,
    unit_answers=None,
) -> None:
    files = [FileRecord(f.sha256, f.file, f.unit, f.status, f.sender, f.sent) for f in result.files]
    # An empty inbox (files moved away by mistake) must not wipe the year from the registry.
    keep = not result.files
    try:
        record_year(
            conn,
            result.year,
            source,
            registrations=None if keep else result.registrations,
            results=None if keep else result.results,
            scored=None if keep or source != "tong_hop" else result.scores,
            files=files,
            decisions=answers,
            replace=replace,
            period=period,
            before_commit=publish,
            unit_answers=unit_answers,
        )
    except sqlite3.Error as e:
        raise Fatal(
            f"Không ghi được sổ theo dõi {ws.registry.name} ({e}); sổ vẫn giữ như trước lần chạy "
            "này. Đóng các chương trình đang mở tệp đó rồi chạy lại."
        ) from e
    finally:
        conn.close()


def _completeness(result: RunResult, roster: Roster, cfg: Config) -> dict:
    units = unit_status(result, roster, cfg)
    office = node_rates(units, roster, cfg).iloc[0]
    return {
        "so_don_vi": int(office["expected"]),
        "da_gui": int(office["sent"]),
        "ty_le_gui": float(office["reporting_rate"]),
        "gui_dung_han": int(office["on_time"]),
        "gui_tre_han": int(office["late"]),
        "khong_ro_ngay_gui": int(office["unknown"]),
        "chua_gui": units.loc[units["registration_status"] == "Chưa gửi", "name"].tolist(),
        "chua_du_chi_tieu": units.loc[~units["quota_met"], "name"].tolist(),
    }


def _print_summary(summary: dict, paths: dict[str, Path]) -> None:
    by_status = summary["so_tep_theo_trang_thai"]
    shown = [s for s in STATUSES if by_status[s] or s in (ACCEPTED, HAS_ERRORS, UNREADABLE)]
    counts = ", ".join(f"{by_status[s]} {s}" for s in shown)
    click.echo(f"Đã đọc {summary['so_tep']} tệp: {counts}.")
    click.echo(
        f"Mô hình đăng ký được tổng hợp: {summary['so_mo_hinh_dang_ky']}; "
        f"mô hình báo cáo kết quả: {summary['so_mo_hinh_ket_qua']}."
    )
    if summary["so_mo_hinh_cham_diem"]:
        click.echo(
            f"Mô hình được chấm điểm: {summary['so_mo_hinh_cham_diem']}; "
            f"đạt: {summary['so_mo_hinh_dat']}."
        )
    if "tinh_hinh" in summary:
        state = summary["tinh_hinh"]
        click.echo(
            f"Đơn vị đã gửi đăng ký: {state['da_gui']}/{state['so_don_vi']} "
            f"({state['ty_le_gui']:g}%); chưa gửi: {len(state['chua_gui'])}; "
            f"chưa đủ chỉ tiêu: {len(state['chua_du_chi_tieu'])} (xem tệp Tinh_hinh_tong_hop)."
        )
    year = summary["nam"]
    if year - 1 not in summary["nam_truoc_trong_so"]:
        click.echo(
            f"Sổ theo dõi chưa có dữ liệu năm {year - 1}: mục I/II theo đơn vị tự ghi. Để tự "
            f"nhận biết mô hình cũ: dvk history import <Phụ lục 1 năm {year - 1}> --year {year - 1}"
        )
    elif summary["so_mo_hinh_xep_khac_don_vi_ghi"] or summary["so_mo_hinh_can_xem_xet"]:
        click.echo(
            f"So với năm {year - 1}: {summary['so_mo_hinh_xep_khac_don_vi_ghi']} mô hình được xếp "
            f"khác với đơn vị ghi; {summary['so_mo_hinh_can_xem_xet']} mô hình cần xem xét "
            f"(tệp {paths['can_xem_xet'].name if 'can_xem_xet' in paths else 'Can_xem_xet'})."
        )
    if summary["van_de"]:
        click.secho(
            f"Có {summary['so_loi']} lỗi và {summary['so_canh_bao']} cảnh báo:", fg="yellow"
        )
        _print_issues(summary["van_de"], limit=15)
        if len(summary["van_de"]) > 15:
            click.echo(f"  … xem đủ {len(summary['van_de'])} vấn đề trong {paths['tiep_nhan']}")
    click.echo("Kết quả:")
    for path in paths.values():
        click.echo(f"  {path}")


def _print_issues(issues: list[dict], limit: int) -> None:
    for issue in issues[:limit]:
        where = ", ".join(
            str(part)
            for part in (
                issue["file"],
                issue["sheet"],
                f"dòng {issue['row']}" if issue["row"] else "",
                issue["column"],
            )
            if part
        )
        click.echo(f"  - [{issue['severity']}] {where}: {issue['message']}")


def _config(ws: Workspace, year: int | None = None) -> Config:
    try:
        cfg = load_config(ws.config_path)
    except ConfigError as e:
        raise Fatal(str(e)) from e
    return dataclasses.replace(cfg, year=year) if year else cfg


def _guard_write(write, where: Path):
    try:
        return write()
    except PermissionError as e:
        raise Fatal(
            f"Không ghi được {e.filename or where}: tệp đang mở trong Excel hoặc thư mục "
            "không cho phép ghi. Đóng tệp rồi chạy lại."
        ) from e
    except OSError as e:
        raise Fatal(f"Không ghi được {where}: {e}") from e


def run() -> None:
    """The console entry point: UTF-8 output, and click's own errors said in Vietnamese."""
    # Windows writes a redirected stdout in the ANSI code page, which has no "Đ".
    for stream in (sys.stdout, sys.stderr):
        if (stream.encoding or "").lower().replace("-", "") != "utf8":
            stream.reconfigure(encoding="utf-8", errors="replace")
    try:
        code = main(standalone_mode=False)
    except click.UsageError as e:
        command = e.ctx.command_path if e.ctx else "dvk"
        click.secho(f"Lỗi: {_usage_problem(e)}", err=True, fg="red")
        click.echo(f"Gõ “{command} --help” để xem cách dùng.", err=True)
        sys.exit(e.exit_code)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except click.Abort:
        click.echo("Đã dừng.", err=True)
        sys.exit(1)
    except Exception as error:  # a fault of the tool itself: say so plainly, exit 3
        if os.environ.get("DVK_DEBUG"):
            raise
        click.secho(
            f"Lỗi: công cụ gặp sự cố và đã dừng ({type(error).__name__}: {error}). Tệp trong "
            "inbox không bị thay đổi. Chạy lại với DVK_DEBUG=1 và gửi toàn bộ thông báo cho "
            "người phụ trách kỹ thuật.",
            err=True,
            fg="red",
        )
        sys.exit(EXIT_FATAL)
    sys.exit(code or 0)


def _param_name(param: click.Parameter) -> str:
    return param.opts[0] if isinstance(param, click.Option) else param.human_readable_name


def _usage_problem(error: click.UsageError) -> str:
    if isinstance(error, click.NoSuchOption):
        return f"không có tùy chọn {error.option_name}."
    if isinstance(error, click.MissingParameter) and error.param is not None:
        return f"thiếu {_param_name(error.param)}."
    if isinstance(error, click.BadParameter) and error.param is None and error.param_hint:
        return error.message  # ours, already in Vietnamese
    if isinstance(error, click.BadParameter) and error.param is not None:
        return f"giá trị của {_param_name(error.param)} không hợp lệ."
    if error.message.startswith("No such command"):
        return "không có lệnh này (các lệnh: init, templates, consolidate, history)."
    return "gõ lệnh chưa đúng cú pháp."
