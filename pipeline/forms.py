"""The unit template declared once: its sheets, columns and fixed cells, for writer and reader."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline import vocab

TEMPLATE_ID = "dvk-bieu-don-vi"
TEMPLATE_VERSION = 1
META_SHEET = "_dvk"  # hidden: template id, version, year, and the dropdown lists
TEMPLATE_FILENAME = "Bieu_mau_don_vi_{year}.xlsx"


# Plausibility: beyond these a value is a typing slip, and its row is held back.
MAX_COUNT = 100  # models one row may count ("Số lượng"); a commune registers a few dozen in all
CAMPAIGN_YEARS = 10  # a start or end date this many years from the year of the run, or more
MAX_UNIT_NAME = 300  # characters of a unit's name


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: float
    kind: str = "text"  # text | count | date | choice
    choices: str = ""  # a key of CHOICE_LISTS for kind "choice"
    required: bool = False
    max_len: int = 1000


# Each closed list: canonical code -> label shown, and code -> extra spellings accepted.
CHOICE_LISTS: dict[str, tuple[dict[str, str], dict[str, tuple[str, ...]]]] = {
    "field": (
        {f.code: f.label for f in vocab.FIELDS},
        {f.code: f.synonyms for f in vocab.FIELDS},
    ),
    "subject": (vocab.SUBJECTS, vocab.SUBJECT_SYNONYMS),
    "status": (vocab.STATUSES, vocab.STATUS_SYNONYMS),
    "result_status": (vocab.RESULT_STATUSES, vocab.STATUS_SYNONYMS),
    "self_assessment": (vocab.SELF_ASSESSMENTS, vocab.SELF_ASSESSMENT_SYNONYMS),
    "level": (vocab.LEVELS, vocab.LEVEL_SYNONYMS),
}

_STT = Column("stt", "STT", 6)
_NAME = Column("name", "Tên mô hình", 42, required=True, max_len=300)
_FIELD = Column("field", "Lĩnh vực", 22, "choice", "field", required=True)
_SUBJECT = Column("subject", "Chủ thể (Tập thể/Cá nhân)", 14, "choice", "subject", required=True)
_PERSON = Column("person", "Họ và tên (nếu chủ thể là cá nhân)", 22, max_len=100)
_COUNT = Column("count", "Số lượng", 9, "count")
_PLACE = Column("place", "Địa điểm xây dựng, triển khai", 24, required=True, max_len=300)
_LEAD = Column("lead", "Chủ trì", 18, max_len=200)


@dataclass(frozen=True)
class SheetSpec:
    name: str
    title: str  # "{year}" is filled in
    columns: tuple[Column, ...]
    unit_label: str = "Tên đơn vị:"
    unit_cell: str = "C3"
    header_row: int = 5
    first_data_row: int = 7  # row 6 holds the column numbers (1), (2), …
    input_rows: int = 300

    @property
    def last_data_row(self) -> int:
        return self.first_data_row + self.input_rows - 1

    def header(self, key: str) -> str:
        return next(c.header for c in self.columns if c.key == key)


REGISTRATION = SheetSpec(
    "Đăng ký",
    "ĐĂNG KÝ XÂY DỰNG MÔ HÌNH “DÂN VẬN KHÉO” NĂM {year}",
    (
        _STT,
        _NAME,
        _FIELD,
        _SUBJECT,
        _PERSON,
        Column("position", "Chức vụ, nghề nghiệp (nếu là cá nhân)", 20, max_len=200),
        _COUNT,
        _PLACE,
        _LEAD,
        Column("scale", "Quy mô thực hiện", 24, max_len=500),
        Column("status", "Duy trì hay đăng ký mới", 18, "choice", "status", required=True),
        Column("level", "Cấp đăng ký", 13, "choice", "level"),
        Column("start", "Thời gian bắt đầu", 13, "date"),
        Column("end", "Thời gian hoàn thành", 13, "date"),
        Column("situation", "Tóm tắt thực trạng", 30, max_len=2000),
        Column("expected", "Dự kiến mục tiêu, kết quả", 30, max_len=2000),
    ),
)

RESULTS = SheetSpec(
    "Kết quả",
    "BÁO CÁO KẾT QUẢ XÂY DỰNG, DUY TRÌ MÔ HÌNH “DÂN VẬN KHÉO” NĂM {year}",
    (
        _STT,
        _NAME,
        _FIELD,
        _SUBJECT,
        _PERSON,
        _COUNT,
        _PLACE,
        _LEAD,
        Column(
            "results",
            "Tóm tắt quy mô, kết quả cụ thể đạt được",
            44,
            required=True,
            max_len=2000,
        ),
        Column("status", "Xây dựng mới hay duy trì", 16, "choice", "result_status", required=True),
        Column("self_assessment", "Tự đánh giá (Vượt/Bằng/Kém)", 14, "choice", "self_assessment"),
    ),
)

SHEETS = (REGISTRATION, RESULTS)

INSTRUCTIONS_SHEET = "Hướng dẫn"
INSTRUCTIONS = (
    "HƯỚNG DẪN ĐIỀN BIỂU MẪU “DÂN VẬN KHÉO” NĂM {year}",
    "",
    "1. Ghi tên đơn vị (chi bộ, đoàn thể, thôn, cơ quan…) vào ô “Tên đơn vị” ở đầu mỗi trang.",
    "2. Trang “Đăng ký”: mỗi mô hình một dòng, từ dòng số 7. Hạn gửi: {registration_deadline}.",
    "3. Trang “Kết quả”: mỗi mô hình một dòng, ghi tóm tắt kết quả và tự đánh giá. "
    "Hạn gửi: {results_deadline}.",
    "4. Các cột Lĩnh vực, Chủ thể, Duy trì/mới, Cấp đăng ký, Tự đánh giá: chọn trong danh sách "
    "thả xuống.",
    "5. Mô hình do cá nhân thực hiện: ghi rõ họ và tên, chức vụ của người thực hiện.",
    "6. Số lượng là số nguyên (1, 2, 3…); để trống được hiểu là 1.",
    "7. Ngày ghi dạng ngày/tháng/năm, ví dụ 15/3/{year}.",
    "8. Không thêm, xoá, đổi tên cột hay trang tính. Lưu tệp dạng .xlsx và gửi lại qua "
    "thư điện tử.",
)


# The review workbook staff edit: uncertain links, answered "Có"/"Không" in one column, read back
# on the next run by the keys in its last (hidden) columns.
REVIEW_FILENAME = "Can_xem_xet_{year}.xlsx"
REVIEW_SHEET = "Cần xem xét"
REVIEW_CLAIMED_SHEET = "Đã tính cho mô hình khác"  # told, not asked; answers are read too
REVIEW_ANSWER = "Là mô hình cũ (Có/Không)"
REVIEW_KEYS = ("Mã đơn vị", "Mã mô hình", "Mã mô hình năm trước")
# Units the roster does not know: their rows wait here until a person says which unit they are.
REVIEW_UNITS_SHEET = "Đơn vị chưa có trong danh mục"
REVIEW_UNIT_NAME = "Đơn vị ghi"
REVIEW_UNIT_ANSWER = "Là đơn vị nào (mã trong danh mục, hoặc Mới)"


# The scoring template ("Biểu chấm điểm"): one row per model, one column per criterion. Its
# criteria columns follow the office's criteria table, which the hidden sheet records.
SCORE_TEMPLATE_ID = "dvk-bieu-cham-diem"
SCORE_TEMPLATE_FILENAME = "Bieu_cham_diem_{year}.xlsx"
SCORE_SHEET = "Chấm điểm"
SCORE_HEADER_ROW = 5
SCORE_FIRST_ROW = 6
SCORE_INPUT_ROWS = 300
SCORE_LEFT = (
    _STT,
    Column("unit", "Đơn vị", 24, required=True, max_len=200),
    _NAME,
    _SUBJECT,
)
SCORE_RIGHT = (
    Column("total", "Tổng điểm", 9),
    Column("level", "Đề nghị công nhận cấp", 14),
    Column("scorer", "Người chấm", 18, max_len=100),
    Column("scored_on", "Ngày chấm", 12, "date"),
    Column("note", "Ghi chú", 20, max_len=500),
)


def criterion_header(number: int, maximum: str) -> str:
    """The header of one criterion's column: "Tiêu chí 9 (tối đa 10)"."""
    return f"Tiêu chí {number} (tối đa {maximum})"


# The office's roster ("Danh mục đơn vị"), filled once in Excel and kept in the workspace.
ROSTER_FILENAME = "danh_muc_don_vi.xlsx"
ROSTER_SHEET = "Danh mục đơn vị"
ROSTER_HEADER_ROW = 4
ROSTER_FIRST_ROW = 5
ROSTER_INPUT_ROWS = 500
ROSTER_COLUMNS = (
    Column("code", "Mã đơn vị", 12, required=True, max_len=30),
    Column("name", "Tên đơn vị (như in trên Phụ lục)", 38, required=True, max_len=200),
    Column("kind", "Loại đơn vị", 18, "choice", required=True),  # vocab.UNIT_KINDS
    Column("parent", "Mã đơn vị cấp trên (trống: trực thuộc văn phòng)", 16, max_len=30),
    Column("quota", "Chỉ tiêu số mô hình (trống: theo loại)", 12, "count"),
    Column("email", "Thư điện tử", 30, max_len=200),
    Column("former", "Tên cũ (đổi tên, sáp nhập; cách nhau bằng dấu ;)", 36, max_len=1000),
)


# Our own Phụ lục 1 / 4 carry, on a hidden sheet, each model row's roster code and registry id:
# an office above that reads them as a lower office's roll-up links them exactly.
ANNEX_TEMPLATE_ID = "dvk-phu-luc"
ANNEX_IDS_COLUMNS = ("row", "unit_code", "model_id")

# The control workbook (report/desk_workbook.py writes it, desk.py reads and fills it): its
# file, its Python module beside it (xlwings imports it by that name), and its named cells.
DESK_FILENAME = "dvk_dieu_khien.xlsm"
DESK_MODULE = "dvk_dieu_khien.py"
DESK_LAUNCHER = "Tong_hop.bat"  # for offices whose Excel runs no macros
DESK_SHEET, DESK_SUMMARY_SHEET = "Điều khiển", "Kết quả lần chạy"
DESK_YEAR, DESK_QUARTER, DESK_STATUS = "dvk_nam", "dvk_quy", "dvk_trang_thai"
DESK_NO_XLWINGS = "dvk_thieu_xlwings"  # the message the macros show without the add-in
# (button caption, VBA macro in pipeline/data/dvk_dieu_khien.bas, Python function in desk.py)
DESK_BUTTONS = (
    ("Tổng hợp", "TongHop", "tong_hop"),
    ("Mở kết quả", "MoKetQua", "mo_ket_qua"),
    ("Tạo biểu mẫu", "TaoBieuMau", "tao_bieu_mau"),
    ("Kiểm tra", "KiemTra", "kiem_tra"),
)
# The last run's summary: (key of desk.summary(), label), from row 3 of the summary sheet;
# the run's own lines follow from DESK_DETAIL_ROW.
DESK_SUMMARY = (
    ("thoi_diem", "Thời điểm chạy"),
    ("viec", "Việc đã làm"),
    ("ky", "Năm / kỳ"),
    ("so_tep", "Số tệp đã đọc"),
    ("so_mo_hinh_dang_ky", "Mô hình đăng ký"),
    ("so_mo_hinh_ket_qua", "Mô hình báo cáo kết quả"),
    ("so_loi", "Lỗi"),
    ("so_canh_bao", "Cảnh báo"),
    ("chua_gui", "Đơn vị chưa gửi đăng ký"),
    ("thu_gui", "Thư soạn sẵn để gửi"),
)
DESK_SUMMARY_FIRST_ROW = 3
DESK_DETAIL_ROW = DESK_SUMMARY_FIRST_ROW + len(DESK_SUMMARY) + 2
DESK_DETAIL_ROWS = 200  # cleared before each run's lines are written
