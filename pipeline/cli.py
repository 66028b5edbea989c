"""The `dvk` command: parse, call the run API (pipeline.office), render; the only click module."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ClassVar, NoReturn

import click

from pipeline import doctor
from pipeline.config import ConfigError, parse_period, placeholders
from pipeline.consolidate import UNREADABLE
from pipeline.office import IMPORTED, DvkError, Office, init_workspace
from pipeline.opening import open_files
from pipeline.report import expected_outputs
from pipeline.summary import WARNING, init_lines, issue_lines, run_lines, written_lines

SOURCES = {"tong_hop": "dvk consolidate", IMPORTED: "nạp từ Phụ lục"}


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

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        # click appends "[required]" to an option's help, in English.
        rows = [(term, text.replace("[required]", "[bắt buộc]")) for term, text in rows]
        super().write_dl(rows, col_max, col_spacing)


click.Context.formatter_class = VietnameseHelpFormatter


class WholeSummary:
    """A command listed with its whole first sentence: click cuts it at 45 characters,
    mid-word ("Đọc mọi tệp trong inbox/, kiểm tra và lập Phụ lục 1, Phụ...")."""

    def get_short_help_str(self, limit: int = 45) -> str:
        return super().get_short_help_str(limit=1000)  # type: ignore[misc]


class Command(WholeSummary, click.Command):
    "A command of dvk"


class Group(WholeSummary, click.Group):
    "A group of dvk's commands (history)"

    command_class = Command


class Dvk(Group):
    """The command group, with click's errors and the tool's own said in Vietnamese, the same
    whether it runs as `dvk`, `python -m pipeline` or in click's test runner."""

    def main(self, args=None, prog_name=None, **extra):
        extra.pop("standalone_mode", None)  # errors are always said here, in Vietnamese
        if args is None:
            args = sys.argv[1:]
        if not args:  # `dvk` alone, double-clicked or typed to see what it does: the help
            args = ["--help"]
        try:
            code = super().main(args, prog_name, standalone_mode=False, **extra)
        except click.UsageError as e:
            command = e.ctx.command_path if e.ctx else "dvk"
            click.secho(f"Lỗi: {_usage_problem(e)}", err=True, fg="red")
            click.echo(f"Gõ “{command} --help” để xem cách dùng.", err=True)
            sys.exit(e.exit_code)
        except click.Abort:
            click.echo("Đã dừng.", err=True)
            sys.exit(1)
        except DvkError as e:
            if os.environ.get("DVK_DEBUG"):
                raise
            click.secho(f"Lỗi: {e}", err=True, fg="red")
            sys.exit(e.exit_code)
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
            sys.exit(DvkError.exit_code)
        sys.exit(code or 0)


def _command(group, name: str | None = None, **kwargs):
    """A command with Vietnamese metavars and help option."""

    def decorate(function):
        function = click.help_option("-h", "--help", help="Xem hướng dẫn lệnh này.")(function)
        return group.command(name=name, options_metavar="[TÙY_CHỌN]", **kwargs)(function)

    return decorate


workspace_option = click.option(
    "--workspace",
    "-w",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    metavar="THƯ_MỤC",
    help="Thư mục làm việc (có inbox/, outbox/, dvk.toml); mặc định là thư mục hiện tại.",
)


@click.group(
    cls=Dvk, options_metavar="[TÙY_CHỌN]", subcommand_metavar="LỆNH [THAM_SỐ]...", name="dvk"
)
@click.help_option("-h", "--help", help="Xem hướng dẫn lệnh này.")
@click.version_option(package_name="dvk-pipeline", message="dvk %(version)s", help="Xem phiên bản.")
def main() -> None:
    """Tổng hợp mô hình “Dân vận khéo” từ biểu mẫu Excel của các đơn vị.

    Ví dụ:

        dvk init D:\\DanVanKheo

        dvk templates -w D:\\DanVanKheo

        dvk consolidate -w D:\\DanVanKheo
    """


@_command(main)
@click.argument(
    "directory", type=click.Path(file_okay=False, path_type=Path), default=".", metavar="THƯ_MỤC"
)
@click.option("--year", type=int, metavar="NĂM", help="Năm tổng hợp (mặc định: năm nay).")
@click.option("--office", default="", metavar="TÊN", help='Tên đơn vị, ví dụ "BAN XÂY DỰNG ĐẢNG".')
@click.option("--place", default="", metavar="ĐỊA_DANH", help='Địa danh, ví dụ "Diễn Châu".')
def init(directory: Path, year: int | None, office: str, place: str) -> None:
    """Tạo thư mục làm việc: inbox/, outbox/, templates/xlsx/, tệp cấu hình dvk.toml, biểu
    chấm điểm cham_diem.toml, bảng điều khiển dvk_dieu_khien.xlsm và Tong_hop.bat.

    Chạy lại trong thư mục đã có thì chỉ tạo các tệp còn thiếu.

    Ví dụ: dvk init D:\\DanVanKheo --year 2026
    """
    _say(init_lines(init_workspace(directory, year, office, place)))
    click.echo(f"Thư mục làm việc: {directory.resolve()}")


@_command(main)
@workspace_option
def templates(workspace: Path) -> None:
    """Tạo biểu mẫu gửi các đơn vị và biểu chấm điểm mô hình (vào templates/xlsx/).

    Ví dụ: dvk templates -w D:\\DanVanKheo
    """
    office = _office(workspace)
    _say(written_lines(office.write_templates(), office.config.year))


class SaidInVietnamese(click.BadParameter):
    "A bad value whose message is already ours, in Vietnamese"


def _existing_files(ctx, param, paths: tuple[Path, ...]) -> tuple[Path, ...]:
    """click says "giá trị của TỆP... không hợp lệ" of a file that is not there: say which."""
    for path in paths:
        if not path.exists():
            raise SaidInVietnamese(f"không thấy tệp {path}.", param_hint="TỆP")
        if path.is_dir():
            raise SaidInVietnamese(f"{path} là thư mục, không phải tệp.", param_hint="TỆP")
    return paths


def _period(ctx, param, value: str | None) -> tuple[int, int] | None:
    try:
        return parse_period(value) if value else None
    except ConfigError as e:
        raise SaidInVietnamese(str(e), param_hint="--period") from e


@_command(main, name="consolidate")
@workspace_option
@click.option(
    "--year", type=int, metavar="NĂM", help="Năm tổng hợp (mặc định: mục nam trong dvk.toml)."
)
@click.option(
    "--period",
    callback=_period,
    metavar="KỲ",
    help="Kỳ tổng hợp, ví dụ 2026-Q1: kết quả lưu riêng trong outbox/2026/Q1/.",
)
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON (cho máy đọc).")
@click.option(
    "--open", "open_excel", is_flag=True, help="Mở Phụ lục 1 và Phụ lục 4 khi tổng hợp xong."
)
def consolidate_command(workspace: Path, year, period, as_json: bool, open_excel: bool) -> None:
    """Đọc mọi tệp trong inbox/, kiểm tra và lập Phụ lục 1, Phụ lục 4 vào outbox/.

    Mã thoát: 0 mọi tệp hợp lệ; 1 đã tổng hợp nhưng có tệp lỗi; 2 sai cú pháp lệnh;
    3 không chạy được.

    Ví dụ: dvk consolidate -w D:\\DanVanKheo
    """
    quarter = None
    if period:
        if year and year != period[0]:
            raise DvkError(f"--year {year} và --period {period[0]}-Q{period[1]} không cùng năm.")
        year, quarter = period
    office = _office(workspace, year)
    shown = not as_json and _on_terminal()
    with _progress(len(office.inbox_files()), "Đang đọc tệp", shown) as step:
        run = office.consolidate(quarter=quarter, on_file=step)
    with _progress(expected_outputs(run.result), "Đang ghi kết quả", shown) as step:
        run.publish(on_output=step)
    report = run.report
    click.echo(report.to_json()) if as_json else _say(run_lines(report.stats, report.outputs))
    if open_excel:
        _show([run.outputs["phu_luc_1"], run.outputs["phu_luc_4"]])
    sys.exit(report.exit_code)


@_command(main, name="open")
@workspace_option
@click.option("--year", type=int, metavar="NĂM", help="Năm (mặc định: mục nam trong dvk.toml).")
@click.option("--period", callback=_period, metavar="KỲ", help="Kỳ tổng hợp, ví dụ 2026-Q1.")
def open_command(workspace: Path, year, period) -> None:
    """Mở Phụ lục 1 và Phụ lục 4 của lần tổng hợp gần nhất (bằng Excel nếu máy có).

    Ví dụ: dvk open -w D:\\DanVanKheo
    """
    year, quarter = period if period else (year, None)
    _show(_office(workspace, year).latest_annexes(quarter))


@_command(main, name="doctor")
@workspace_option
def doctor_command(workspace: Path) -> None:
    """Kiểm tra thư mục làm việc và máy tính: cấu hình, danh mục, sổ theo dõi, biểu mẫu,
    Python, thư viện, Excel; nói cách sửa từng chỗ.

    Mã thoát: 0 chạy tổng hợp được; 1 có lỗi phải sửa trước.

    Ví dụ: dvk doctor -w D:\\DanVanKheo
    """
    findings = doctor.check_workspace(workspace) + doctor.check_environment()
    for finding in findings:
        mark = {doctor.OK: "✓", doctor.WARN: "!", doctor.PROBLEM: "✗"}[finding.level]
        colour = {doctor.OK: None, doctor.WARN: "yellow", doctor.PROBLEM: "red"}[finding.level]
        click.secho(f"{mark} {finding.what}: {finding.said}", fg=colour)
    problems = sum(f.level == doctor.PROBLEM for f in findings)
    warnings = sum(f.level == doctor.WARN for f in findings)
    click.echo(f"Kết luận: {problems} lỗi, {warnings} lưu ý.")
    sys.exit(1 if problems else 0)


def _show(paths: list[Path]) -> None:
    """Open the files for the person; if nothing on this machine can, say where they are.
    Never an error: the run itself is done and its exit code stands."""
    used, failures = open_files(paths)
    if used:
        click.echo(f"Đã mở {len(paths)} tệp bằng {used}.")
        return
    click.secho("Không mở tự động được tệp kết quả:", fg="yellow", err=True)
    for failure in failures:
        click.secho(f"  - {failure}", fg="yellow", err=True)
    click.echo(f"Các tệp nằm trong thư mục: {paths[0].parent}", err=True)


def _on_terminal() -> bool:
    """A person watching (a console, not a pipe or a file): only then a progress bar."""
    return sys.stderr.isatty()


@contextlib.contextmanager
def _progress(length: int, label: str, shown: bool) -> Iterator[Callable[[Path], None]]:
    """A bar on stderr counting files, or nothing at all (piped, --json)."""
    if not shown:
        yield lambda _path: None
        return
    with click.progressbar(length=length, label=label, file=sys.stderr, show_pos=True) as bar:
        yield lambda _path: bar.update(1)


@main.group(cls=Group, options_metavar="[TÙY_CHỌN]", subcommand_metavar="LỆNH [THAM_SỐ]...")
@click.help_option("-h", "--help", help="Xem hướng dẫn lệnh này.")
def history() -> None:
    """Dữ liệu các năm trước (sổ theo dõi mô hình dvk.sqlite trong thư mục làm việc)."""


@_command(history, name="import")
@click.argument(
    "files",
    nargs=-1,
    required=True,
    type=click.Path(path_type=Path),
    callback=_existing_files,
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
    run = _office(workspace, year).import_history(list(files), year)
    run.record()
    result = run.result
    click.echo(
        f"Đã nạp vào sổ theo dõi năm {year}: {len(result.registrations)} mô hình đăng ký, "
        f"{len(result.results)} mô hình báo cáo kết quả, từ {len(result.files)} tệp."
    )
    for account in result.files:
        if account.status == UNREADABLE or not account.registrations + account.results:
            click.secho(f"  - {account.file}: không nạp được. {account.reason}", fg="yellow")
    if result.issues:
        click.echo(f"Lưu ý: {len(result.issues)} dòng thiếu hoặc sai thông tin (vẫn được nạp):")
        _say(issue_lines([i.to_dict() for i in result.issues], limit=10))
    sys.exit(result.exit_code)


@_command(history, name="list")
@workspace_option
def history_list(workspace: Path) -> None:
    """Xem sổ theo dõi đang có dữ liệu những năm nào.

    Ví dụ: dvk history list -w D:\\DanVanKheo
    """
    office = _office(workspace)
    if not office.workspace.registry.exists():
        click.echo(
            f"Chưa có sổ theo dõi ({office.workspace.registry}). "
            "Chạy “dvk history import” hoặc “dvk consolidate”."
        )
        return
    rows = office.years_on_record()
    for year, source, registrations, results in rows:
        click.echo(
            f"Năm {year}: {registrations} mô hình đăng ký, {results} mô hình báo cáo kết quả "
            f"({SOURCES.get(source, source)})."
        )
    if not rows:
        click.echo("Sổ theo dõi chưa có dữ liệu năm nào.")


def _office(workspace: Path, year: int | None = None) -> Office:
    """The workspace, with a warning when dvk.toml still holds what would print wrong on a
    signed annex (`dvk init`'s "ĐẢNG ỦY XÃ …", an empty signer)."""
    office = Office.open(workspace, year)
    if left := placeholders(office.config):
        click.secho(
            f"Lưu ý: {office.workspace.config_path} còn chỗ chưa sửa (in lên Phụ lục): "
            + "; ".join(left)
            + ".",
            fg="yellow",
            err=True,
        )
    return office


def _say(lines: list[tuple[str, str]]) -> None:
    for text, level in lines:
        click.secho(text, fg="yellow" if level == WARNING else None)


def run() -> None:
    """The console entry point, with UTF-8 output."""
    # Windows writes a redirected stdout in the ANSI code page, which has no "Đ".
    for stream in (sys.stdout, sys.stderr):
        if (stream.encoding or "").lower().replace("-", "") != "utf8":
            stream.reconfigure(encoding="utf-8", errors="replace")
    try:
        main()
    except SystemExit as done:
        leave(done.code)


def leave(code: int | str | None = 0) -> NoReturn:
    """End the process with `code` (as sys.exit takes it) once its output is flushed, without
    freeing its objects one by one: after a province's run that took 0.4-0.8 s, and nothing
    is left to do (every workbook and the registry are written and closed by then; no atexit
    handler of ours or of our libraries has work left). mypy ends the same way (util.hard_exit).
    Only the console entry point does this: the library and click's test runner exit as usual."""
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)  # what sys.exit("…") prints, with exit status 1
        code = 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed pipe: nothing more can be said
            stream.flush()
    os._exit(code or 0)


def _param_name(param: click.Parameter) -> str:
    return param.opts[0] if isinstance(param, click.Option) else param.human_readable_name


def _usage_problem(error: click.UsageError) -> str:
    if isinstance(error, click.NoSuchOption):
        return f"không có tùy chọn {error.option_name}."
    if isinstance(error, click.MissingParameter) and error.param is not None:
        return f"thiếu {_param_name(error.param)}."
    if isinstance(error, SaidInVietnamese):
        return error.message
    if isinstance(error, click.BadParameter) and error.param is not None:
        return f"giá trị của {_param_name(error.param)} không hợp lệ."
    if error.message.startswith("No such command"):
        return "không có lệnh này (các lệnh: init, templates, consolidate, open, doctor, history)."
    return "gõ lệnh chưa đúng cú pháp."
