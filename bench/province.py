"""A province's inbox at quarter end, generated: thousands of distinct unit forms and a history.

Deterministic (one seed), so every run of the benchmark reads the same files:

- a roster of communes (nodes) and their units, each unit its own name and e-mail;
- one form per unit, holding about ten models, every model name distinct in the province:
  most are the office's template filled in, some are Phụ lục 1 annexes typed by hand in the
  seed's layout, and about a third arrive as e-mails with the workbook attached;
- about one form in twelve with a slip (a model's place left blank), sent back marked up;
- last year's consolidated Phụ lục 1 of the whole province (about 8 models a unit), which
  `dvk history import` reads, and of which about 6 in 8 continue this year, some retyped.

`python -m bench.province DIR --files 5000` writes the workspace to DIR.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import random
import re
import zipfile
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd
from openpyxl import load_workbook

from pipeline import forms, vocab
from pipeline.config import load_config, write_default_config
from pipeline.report.phu_luc import write_phu_luc_1
from pipeline.report.roster_template import write_roster_template
from pipeline.report.template import fill_template, template_path, write_template
from tests.fixtures.build_annexes import FOOTER, P1_HEAD, P1_MERGES, P1_TITLE, write_sheets

YEAR = 2026
OFFICE = "BAN DÂN VẬN TỈNH ỦY"
UNITS_PER_COMMUNE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HISTORY_FILE = "Phu_luc_1_tinh_2025.xlsx"
LATE_FOLDER = "den_muon"  # one more unit's form, to drop into the inbox after a full run

FIRST = ["Hòa", "Bình", "Tân", "Phú", "Thanh", "Yên", "Đông", "Xuân", "Quang", "Minh", "Hưng",
         "Phúc", "Nghĩa", "Trung", "Kim", "Long", "Hồng", "Vĩnh", "Cẩm", "Lạc"]  # fmt: skip
SECOND = ["An", "Lợi", "Thịnh", "Phong", "Lộc", "Sơn", "Hà", "Thủy", "Tiến", "Đức", "Hải",
          "Thành", "Mỹ", "Khánh", "Điền", "Xá", "Liên", "Quý", "Hợp", "Tài"]  # fmt: skip
BODIES = ["Hội Phụ nữ", "Hội Nông dân", "Đoàn Thanh niên", "Hội Cựu chiến binh",
          "Ủy ban Mặt trận Tổ quốc", "Công an", "Ban Chỉ huy Quân sự", "Trạm Y tế",
          "Trường Tiểu học", "Trường THCS", "Trường Mầm non", "Hội Người cao tuổi",
          "Chi hội Chữ thập đỏ", "Hợp tác xã Nông nghiệp"]  # fmt: skip
# What models are about, as offices word them; each unit's models end with its own place.
ACTIVITIES = [
    ("Tuyến đường hoa", "NTM"), ("Tổ hòa giải", "QPAN"), ("Camera an ninh", "QPAN"),
    ("Thắp sáng đường quê", "NTM"), ("Hũ gạo tình thương", "VHXH"),
    ("Phụ nữ giúp nhau phát triển kinh tế", "KT"), ("Tổ hợp tác trồng rau an toàn", "KT"),
    ("Cánh đồng mẫu lớn", "KT"), ("Nhà văn hóa xanh, sạch, đẹp", "VHXH"),
    ("Ngày thứ Bảy tình nguyện", "VHXH"), ("Tổ tự quản bảo vệ môi trường", "NTM"),
    ("Thu gom rác thải sinh hoạt", "NTM"), ("Khu dân cư không có tội phạm", "QPAN"),
    ("Nuôi lợn đất giúp hội viên nghèo", "KT"), ("Sân chơi cho thiếu nhi", "VHXH"),
    ("Câu lạc bộ dưỡng sinh", "VHXH"), ("Hiến đất mở rộng đường giao thông", "NTM"),
    ("Vườn mẫu nông thôn mới", "NTM"), ("Tủ sách pháp luật", "VHXH"),
    ("Tổ liên gia tự quản an ninh trật tự", "QPAN"), ("Bữa cơm có thịt cho học sinh", "VHXH"),
    ("Chuyển đổi số trong thanh toán", "KT"), ("Trồng cây ăn quả trên đất đồi", "KT"),
    ("Nước sạch cho hộ nghèo", "NTM"), ("Dân vận khéo trong thu thuế", "KT"),
    ("Tổ phụ nữ tiết kiệm vốn", "KT"), ("Phòng chống đuối nước trẻ em", "VHXH"),
    ("Đèn đường năng lượng mặt trời", "NTM"),
]  # fmt: skip
CONTINUING, NEW = 6, 4  # of a unit's models this year; last year it had CONTINUING + 2
RETYPINGS = (  # how a unit retypes a model it keeps
    lambda n: n,
    lambda n: f"Mô hình “{n}”",
    lambda n: n.upper(),
    lambda n: n.replace("thôn", "Thôn"),
)


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    commune: str
    village: str  # the place its models carry
    email: str


def communes(count: int) -> list[str]:
    return [f"{a} {b}" for a in FIRST for b in SECOND][:count]


def roster(n_units: int) -> list[Unit]:
    units = []
    for c, commune in enumerate(communes(-(-n_units // UNITS_PER_COMMUNE))):
        for i in range(UNITS_PER_COMMUNE):
            if len(units) == n_units:
                break
            code = f"X{c + 1:03d}-{i + 1:02d}"
            if i < len(BODIES):
                name, village = f"{BODIES[i]} xã {commune}", f"xã {commune}"
            else:
                village = f"thôn {i - len(BODIES) + 1} xã {commune}"
                name = f"Chi bộ {village}"
            units.append(Unit(code, name, commune, village, f"{code.lower()}@example.vn"))
    return units


def models(unit: Unit, rng: random.Random) -> tuple[list[dict], list[dict]]:
    """(last year's, this year's) models of a unit: 8 then 10, names distinct in the province."""
    picked = rng.sample(ACTIVITIES, CONTINUING + 2 + NEW)
    rows = [_model(unit, name, field, rng) for name, field in picked]
    last = rows[: CONTINUING + 2]
    kept = [
        {**r, "name": rng.choice(RETYPINGS)(r["name"]), "status": "DUY_TRI"}
        for r in last[:CONTINUING]
    ]
    return last, kept + [{**r, "status": "MOI"} for r in rows[CONTINUING + 2 :]]


def _model(unit: Unit, activity: str, field: str, rng: random.Random) -> dict:
    person = rng.random() < 0.1
    return dict(
        name=f"{activity} {unit.village}",
        field=field,
        subject="CA_NHAN" if person else "TAP_THE",
        person=f"Nguyễn Văn {rng.choice(SECOND)}" if person else "",
        position="Bí thư chi bộ" if person else "",
        count=rng.choice([1, 1, 1, 2]),
        place=unit.village[0].upper() + unit.village[1:],
        lead=unit.name.split(" xã ")[0],
        scale=f"{rng.randint(20, 400)} hộ",
        status="MOI",
    )


def build_province(root: Path, n_files: int = 5000, seed: int = 2026) -> Path:
    """Write the workspace (dvk.toml, roster, inbox, last year's annex) under root."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    write_default_config(root / "dvk.toml", YEAR, OFFICE, "Yên Bái")
    cfg = load_config(root / "dvk.toml")
    units = roster(n_files + 1)
    _write_roster(root / forms.ROSTER_FILENAME, cfg, units)
    template = template_path(root / "templates" / "xlsx", YEAR)
    write_template(template, cfg)
    forms_by_size = _FilledForms(template, root / ".bench_tmp")
    inbox = root / "inbox"
    inbox.mkdir(exist_ok=True)
    history = []
    for unit in units:
        last, now = models(unit, rng)
        history += [{**r, "unit": unit.name, "unit_code": unit.code} for r in last]
        name = f"{unit.code.lower()}.xlsx"
        reported = rng.random() < 0.5  # half also report results of the models they kept
        if rng.random() < 0.08:  # a slip to send back: a model's place left blank
            now[rng.randrange(len(now))]["place"] = ""
        data = (
            _hand_typed(unit, now)
            if rng.random() < 0.05
            else forms_by_size.fill(unit, now, now[:CONTINUING] if reported else [])
        )
        folder = inbox if unit is not units[-1] else root / LATE_FOLDER
        folder.mkdir(exist_ok=True)
        if rng.random() < 0.3:
            (folder / f"{unit.code.lower()}.eml").write_bytes(_email(unit, name, data, rng))
        else:
            (folder / name).write_bytes(data)
    forms_by_size.clean()
    _write_history(root / "nam_truoc" / HISTORY_FILE, cfg, history)
    return root


def _write_roster(path: Path, cfg, units: list[Unit]) -> None:
    write_roster_template(path, cfg)
    wb = load_workbook(path)
    ws = wb.active
    rows = [(f"X{c:03d}", f"Đảng bộ xã {name}", "Xã, phường", "", None, "", "")
            for c, name in enumerate(dict.fromkeys(u.commune for u in units), start=1)]  # fmt: skip
    kinds = {True: "Đoàn thể", False: "Chi bộ"}
    rows += [
        (u.code, u.name, kinds[not u.name.startswith("Chi bộ")], u.code[:4], None, u.email, "")
        for u in units
    ]
    for offset, values in enumerate(rows):
        for col, value in enumerate(values, start=1):
            ws.cell(forms.ROSTER_FIRST_ROW + offset, col, value)
    wb.save(path)


class _FilledForms:
    """The template filled once per number of rows with placeholders, then each unit's form by
    replacing the placeholders in the sheets' inline strings: the same XML openpyxl would
    write, a thousand times faster than loading and saving the template per unit.

    The placeholders are ASCII: openpyxl with lxml 6.1 writes every other character as a
    numeric reference ("&#167;"), which a placeholder of "§" would never match again."""

    def __init__(self, template: Path, scratch: Path):
        self.template, self.scratch = template, scratch
        self.made: dict[tuple[int, int], dict[str, bytes]] = {}

    def fill(self, unit: Unit, registrations: list[dict], results: list[dict]) -> bytes:
        members = self._shape(len(registrations), len(results))
        values = {"@@U@@": unit.name}
        for sheet, rows in (("R", registrations), ("K", results)):
            for i, row in enumerate(rows):
                for key, value in _labels(row, sheet).items():
                    values[f"@@{sheet}{i}{key}@@"] = value
        pattern = re.compile("|".join(re.escape(p) for p in values))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in members.items():
                if name.startswith("xl/worksheets/"):  # openpyxl writes its strings inline
                    text = pattern.sub(lambda m: escape(str(values[m.group()])), data.decode())
                    data = text.encode()
                z.writestr(name, data)
        return out.getvalue()

    def _shape(self, n_reg: int, n_res: int) -> dict[str, bytes]:
        if (n_reg, n_res) not in self.made:
            path = self.scratch / f"{n_reg}_{n_res}.xlsx"
            placeholders = {
                sheet_name: [
                    {key: f"@@{sheet}{i}{key}@@" for key in _labels({}, sheet)} for i in range(n)
                ]
                for sheet_name, sheet, n in (("Đăng ký", "R", n_reg), ("Kết quả", "K", n_res))
            }
            fill_template(self.template, path, "@@U@@", placeholders)
            with zipfile.ZipFile(path) as z:
                self.made[n_reg, n_res] = {n: z.read(n) for n in z.namelist()}
            path.unlink()
        return self.made[n_reg, n_res]

    def clean(self) -> None:
        if self.scratch.exists():
            self.scratch.rmdir()


FIELD_LABELS = {f.code: f.label for f in vocab.FIELDS}


def _labels(row: dict, sheet: str) -> dict[str, str]:
    """A model's cells as a unit fills them, by column key (count left as typed text)."""
    get = row.get
    shared = dict(
        name=get("name", ""),
        field=FIELD_LABELS.get(get("field"), ""),
        subject=vocab.SUBJECTS.get(get("subject"), ""),
        person=get("person", ""),
        place=get("place", ""),
        lead=get("lead", ""),
    )
    if sheet == "R":
        return shared | dict(
            position=get("position", ""),
            scale=get("scale", ""),
            status=vocab.STATUSES.get(get("status"), ""),
        )
    return shared | dict(
        results=f"Đã thực hiện, {get('scale', '')} tham gia",
        status=vocab.RESULT_STATUSES.get(get("status"), ""),
        self_assessment="Bằng",
    )


def _hand_typed(unit: Unit, rows: list[dict]) -> bytes:
    """The unit's own Phụ lục 1 typed in the seed's layout, sections I and II."""
    body = [["", "Tổng số", len(rows), "", "", "", "", "", ""]]
    for number, (title, status) in enumerate(
        ((f"Mô hình tiếp tục duy trì từ năm {YEAR - 1}", "DUY_TRI"),
         (f"Mô hình đăng ký mới năm {YEAR}", "MOI")), start=1
    ):  # fmt: skip
        mine = [r for r in rows if r["status"] == status]
        body += [["I" * number, title, len(mine), "", "", "", "", "", ""]]
        body += [[1, unit.name, len(mine), "", "", "", "", "", ""]]
        body += [
            [" -", r["name"], r["count"], r["place"], r["lead"], FIELD_LABELS[r["field"]],
             r["scale"], "X" if r["subject"] == "TAP_THE" else "",
             "X" if r["subject"] == "CA_NHAN" else ""]
            for r in mine
        ]  # fmt: skip
    head = [[unit.name.upper(), "", "", "", "", "", "", "", "Phụ lục 1"], [],
            [P1_TITLE.format(year=YEAR)], []]  # fmt: skip
    out = io.BytesIO()
    write_sheets(out, [("Phụ lục 1", [*head, *P1_HEAD, *body, [], *FOOTER], [*P1_MERGES, "A3:I3"])])
    return out.getvalue()


def _email(unit: Unit, filename: str, data: bytes, rng: random.Random) -> bytes:
    message = EmailMessage()
    message["From"] = f"{unit.name} <{unit.email}>"
    message["Subject"] = f"Đăng ký mô hình Dân vận khéo năm {YEAR}"
    message["Date"] = f"Mon, {rng.randint(2, 27):02d} Mar {YEAR} 09:00:00 +0700"
    message.set_content("Đơn vị gửi biểu đăng ký.")
    maintype, subtype = XLSX.split("/")
    message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return bytes(message)


def _write_history(path: Path, cfg, rows: list[dict]) -> None:
    """Last year's Phụ lục 1 of the province, as this tool wrote it then."""
    frame = pd.DataFrame(rows).assign(field_other="", level="")
    write_phu_luc_1(path, frame, dataclasses.replace(cfg, year=YEAR - 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--files", type=int, default=5000)
    args = parser.parse_args()
    print(build_province(args.folder, args.files))


if __name__ == "__main__":
    main()
