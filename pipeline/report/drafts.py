"""The office's letters as .eml drafts in outbox/<year>/thu_gui/: opened in Outlook or
Thunderbird, they are new messages ready to send. The tool itself never sends anything."""

from __future__ import annotations

import datetime as dt
import io
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

from pipeline.config import Config
from pipeline.letters import FORM_NAMES, PROBLEMS_LISTED, Letter
from pipeline.normalize import ascii_slug
from pipeline.report.template import template_path, write_template

DRAFTS_FOLDER = "thu_gui"
# Python folds a long encoded Subject into words and loses a space between two of them
# ("Dânvận"): one line, up to RFC 5322's 998 characters, keeps every space.
POLICY = SMTP.clone(max_line_length=998)
XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
SUBJECTS = {
    "sua": "Đề nghị sửa biểu mẫu “Dân vận khéo” năm {year} – {unit}",
    "nhac": "Đề nghị gửi {forms} “Dân vận khéo” năm {year} – {unit}",
}


def write_drafts(
    folder: Path, letters: list[Letter], returned: dict[str, Path], cfg: Config, today: dt.date
) -> list[Path]:
    """One draft per letter; `returned` maps each returned inbox file to its workbook."""
    if not letters:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    blank = _blank_form(cfg) if any(letter.missing for letter in letters) else b""
    written = []
    for letter in letters:
        path = folder / f"{ascii_slug(letter.unit) or 'don_vi'}.eml"
        if path in written:
            path = path.with_stem(f"{path.stem}_{len(written) + 1}")
        path.write_bytes(draft(letter, returned, cfg, blank, today).as_bytes(policy=POLICY))
        written.append(path)
    return written


def draft(
    letter: Letter, returned: dict[str, Path], cfg: Config, blank: bytes, today: dt.date
) -> EmailMessage:
    message = EmailMessage()
    if letter.to:
        message["To"] = letter.to
    forms = " và ".join(FORM_NAMES[form] for form in letter.missing)
    subject = SUBJECTS[letter.kind].format(year=cfg.year, unit=letter.unit, forms=forms)
    message["Subject"] = " ".join(subject.split())  # a header is one line
    message["X-Unsent"] = "1"  # Outlook opens it as a new message to send, not a received one
    message.set_content(body(letter, returned, cfg, today))
    for file in letter.files_to_fix:
        path = returned[file]
        message.add_attachment(path.read_bytes(), *XLSX, filename=path.name)
    if letter.missing:
        name = template_path(Path(), cfg.year).name
        message.add_attachment(blank, *XLSX, filename=name)
    return message


def body(letter: Letter, returned: dict[str, Path], cfg: Config, today: dt.date) -> str:
    lines = [f"Kính gửi: {letter.unit},", ""]
    for file in letter.files_to_fix:
        problems = [i for i in letter.problems if i.file == file]
        lines.append(
            f"{cfg.office_name} đã nhận tệp “{file}” của đơn vị. Tệp còn {len(problems)} chỗ "
            "cần sửa nên chưa tổng hợp được đầy đủ:"
        )
        lines += [_problem_line(issue) for issue in problems[:PROBLEMS_LISTED]]
        if len(problems) > PROBLEMS_LISTED:
            lines.append(f"  … và {len(problems) - PROBLEMS_LISTED} chỗ khác.")
        lines += [
            f"Tệp đính kèm “{returned[file].name}” là chính tệp của đơn vị, các ô cần sửa được "
            "tô màu, trang “Cần sửa” ghi cách sửa từng chỗ. Đề nghị đơn vị sửa ngay trên tệp "
            "này và gửi lại.",
            "",
        ]
    deadlines = {"registration": cfg.registration_deadline, "results": cfg.results_deadline}
    for form in letter.missing:
        lines += [
            f"Đến nay {cfg.office_name} chưa nhận được {FORM_NAMES[form]} “Dân vận khéo” năm "
            f"{cfg.year} của đơn vị. Đề nghị đơn vị điền biểu mẫu đính kèm và gửi lại "
            f"{_by(deadlines[form], today)}.",
            "",
        ]
    lines += ["Trân trọng.", cfg.office_name]
    return "\n".join(lines) + "\n"


def _problem_line(issue) -> str:
    return f"  - {_where(issue)}: {issue.message} {issue.hint}".rstrip()


def _where(issue) -> str:
    parts = (issue.sheet, f"dòng {issue.row}" if issue.row else "", issue.column)
    return ", ".join(p for p in parts if p) or "Cả tệp"


def _by(deadline: dt.date | None, today: dt.date) -> str:
    if deadline is None:
        return "sớm"
    if today > deadline:
        return f"ngay (hạn gửi là ngày {deadline:%d/%m/%Y})"
    return f"trước ngày {deadline:%d/%m/%Y}"


def _blank_form(cfg: Config) -> bytes:
    """The unit form as `dvk templates` writes it, made here so the letter needs no workspace."""
    out = io.BytesIO()
    write_template(out, cfg)
    return out.getvalue()
