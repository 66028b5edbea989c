"""The office's letters as .eml drafts in outbox/<year>/thu_gui/: opened in Outlook or
Thunderbird, they are new messages ready to send. The tool itself never sends anything.

Built with the standard library's email.mime classes (its compat32 API), three times faster
than EmailMessage here, where a province writes thousands of drafts: each attachment's base64
is made once and shared by every draft that carries it (the blank form), and so is its text
in the draft (_Generator)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid
from email import policy
from email.generator import BytesGenerator
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path

from pipeline.config import Config
from pipeline.letters import FORM_NAMES, PROBLEMS_LISTED, Letter
from pipeline.normalize import ascii_slug
from pipeline.report.reuse import Earlier, fingerprint
from pipeline.report.template import template_path, write_template

DRAFTS_FOLDER = "thu_gui"
# One header line up to RFC 5322's 998 characters: Python's folding of a long encoded Subject
# can lose the space between two words ("Dânvận").
POLICY = policy.compat32.clone(linesep="\r\n", max_line_length=998)
XLSX = "vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SUBJECTS = {
    "sua": "Đề nghị sửa biểu mẫu “Dân vận khéo” năm {year} – {unit}",
    "nhac": "Đề nghị gửi {forms} “Dân vận khéo” năm {year} – {unit}",
}


def draft_paths(folder: Path, letters: list[Letter]) -> list[tuple[Letter, Path]]:
    """Each letter with its file, named after its unit; two units of one name kept apart."""
    paired, taken = [], set()
    for letter in letters:
        path = folder / f"{ascii_slug(letter.unit) or 'don_vi'}.eml"
        if path in taken:
            path = path.with_stem(f"{path.stem}_{len(taken) + 1}")
        taken.add(path)
        paired.append((letter, path))
    return paired


def write_drafts(
    paired: list[tuple[Letter, Path]],
    returned: dict[str, Path],
    cfg: Config,
    today: dt.date,
    earlier: Earlier | None = None,
    outbox: Path | None = None,
) -> list[Path]:
    """One draft per letter; `returned` maps each returned inbox file to its workbook, which
    must be written already. With `earlier`, a draft made from the same letter, settings, day
    and attachments as the published one is copied from there."""
    blank, shared = None, {}
    for letter, path in paired:
        if earlier is not None and outbox is not None:
            # The attachments by their digests: the repr of their bytes, hashed as text, was a
            # sixth of a late run's letters (py-spy).
            attached = [_sha256(returned[f]) for f in letter.files_to_fix]
            inputs = fingerprint("thu_gui", letter, repr(cfg), today, attached)
            if earlier.reuse(path, outbox, inputs):
                continue
        if letter.missing and blank is None:
            blank = _blank_form(cfg, earlier)
            shared = {id(blank): blank.as_bytes(policy=POLICY).decode("ascii")}
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_as_bytes(draft(letter, returned, cfg, blank, today), shared))
    return [path for _, path in paired]


class _Generator(BytesGenerator):
    """The standard generator, given the text of a part shared by many drafts: the blank
    form's 900 lines of base64 are laid out once, not once per draft."""

    def __init__(self, out, shared: dict[int, str]):
        super().__init__(out, policy=POLICY)
        self.shared = shared

    def clone(self, fp):
        return _Generator(fp, self.shared)

    def flatten(self, msg, unixfrom=False, linesep=None):
        if id(msg) in self.shared:
            self.write(self.shared[id(msg)])
        else:
            super().flatten(msg, unixfrom, linesep)


def _as_bytes(message: MIMEMultipart, shared: dict[int, str]) -> bytes:
    """message.as_bytes(policy=POLICY), with the text of the parts in `shared` as given."""
    out = io.BytesIO()
    _Generator(out, shared).flatten(message)
    return out.getvalue()


def draft(
    letter: Letter,
    returned: dict[str, Path],
    cfg: Config,
    blank: MIMEApplication | None,
    today: dt.date,
) -> MIMEMultipart:
    # Every part is base64, whose lines never start with "--": no boundary can be found in
    # them, and the generator need not search the whole draft for one (a third of its time).
    message = MIMEMultipart(boundary=f"{'=' * 15}{uuid.uuid4().hex}==")
    if letter.to:
        message["To"] = letter.to
    forms = " và ".join(FORM_NAMES[form] for form in letter.missing)
    subject = SUBJECTS[letter.kind].format(year=cfg.year, unit=letter.unit, forms=forms)
    message["Subject"] = Header(" ".join(subject.split()), "utf-8", maxlinelen=998).encode()
    message["X-Unsent"] = "1"  # Outlook opens it as a new message to send, not a received one
    message.attach(MIMEText(body(letter, returned, cfg, today), "plain", "utf-8"))
    for file in letter.files_to_fix:
        message.attach(attachment(returned[file].read_bytes(), returned[file].name))
    if letter.missing and blank is not None:
        message.attach(blank)
    return message


def attachment(data: bytes, name: str) -> MIMEApplication:
    part = MIMEApplication(data, XLSX)
    part.add_header("Content-Disposition", "attachment", filename=name)
    return part


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
    for file in letter.unreadable:
        (issue,) = [i for i in letter.problems if i.file == file]
        lines += [
            f"{cfg.office_name} đã nhận “{file}” của đơn vị nhưng chưa đọc được: "
            f"{issue.message} {issue.hint}",
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


def _blank_form(cfg: Config, earlier: Earlier | None = None) -> MIMEApplication:
    """The unit form as `dvk templates` writes it, made here so the letter needs no workspace;
    one attachment part for every reminder, made once for the run's two kinds of letter, and
    with `earlier` kept for the next run of the same settings and code (openpyxl takes about
    a second to make it)."""
    key = repr(cfg)
    if key not in _BLANK_FORM:

        def make() -> bytes:
            out = io.BytesIO()
            write_template(out, cfg)
            return out.getvalue()

        data = make() if earlier is None else earlier.part("mau_trong", fingerprint(key), make)
        _BLANK_FORM.clear()  # only the latest settings' form is kept
        _BLANK_FORM[key] = attachment(data, template_path(Path(), cfg.year).name)
    return _BLANK_FORM[key]


_BLANK_FORM: dict[str, MIMEApplication] = {}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
