"""The one problem record, and the Vietnamese catalogue of every problem the pipeline reports."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "lỗi"  # the row (or file) is held back
    WARNING = "cảnh báo"  # reported, the row is still used


class Code(StrEnum):
    """Every problem's stable code: tests, --json and the error workbook key on these. Each has
    its entry in CATALOGUE (a test checks both ways), so a misspelt code fails where it is made."""

    FILE_UNREADABLE = "file-unreadable"
    FILE_NO_TABLE = "file-no-table"
    FILE_NOT_WORKBOOK = "file-not-workbook"
    FILE_PASSWORD = "file-password"
    FILE_TOO_LARGE = "file-too-large"
    FILE_READER_STOPPED = "file-reader-stopped"
    FILE_DUPLICATE = "file-duplicate"
    CONTAINER_EMPTY = "container-empty"
    CONTAINER_TOO_DEEP = "container-too-deep"
    ZIP_TOO_MANY = "zip-too-many"
    ZIP_TOO_LARGE = "zip-too-large"
    ZIP_UNSAFE_PATH = "zip-unsafe-path"
    FILE_TEMPLATE_CHANGED = "file-template-changed"
    FILE_WRONG_YEAR = "file-wrong-year"
    FILE_NO_UNIT = "file-no-unit"
    FILE_EMPTY = "file-empty"
    REQUIRED = "required"
    NOT_IN_LIST = "not-in-list"
    FIELD_OTHER = "field-other"
    NOT_WHOLE_NUMBER = "not-whole-number"
    TEXT_CONTROL_CHARACTER = "text-control-character"
    COUNT_IMPLAUSIBLE = "count-implausible"
    DATE_IMPLAUSIBLE = "date-implausible"
    NOT_A_DATE = "not-a-date"
    TOO_LONG = "too-long"
    PERSON_REQUIRED = "person-required"
    END_BEFORE_START = "end-before-start"
    START_AFTER_YEAR = "start-after-year"
    FORMULA_IN_TEXT = "formula-in-text"
    ANNEX_UNIT_WITHOUT_MODELS = "annex-unit-without-models"
    SHEET_SUPERSEDED = "sheet-superseded"
    STATUS_NOT_CONTINUING = "status-not-continuing"
    STATUS_CONTINUING = "status-continuing"
    MODEL_NEEDS_REVIEW = "model-needs-review"
    MODEL_CLAIMED = "model-claimed"
    REVIEW_ANSWER_UNCLEAR = "review-answer-unclear"
    SCORE_MISSING = "score-missing"
    SCORE_NOT_A_NUMBER = "score-not-a-number"
    SCORE_NEGATIVE = "score-negative"
    SCORE_ABOVE_MAX = "score-above-max"
    SCORE_UNKNOWN_CRITERION = "score-unknown-criterion"
    SCORE_BOTH_VARIANTS = "score-both-variants"
    SCORE_WRONG_VARIANT = "score-wrong-variant"
    SCORE_TOTAL_MISMATCH = "score-total-mismatch"
    SCORE_NOT_REGISTERED = "score-not-registered"
    SCORE_REGISTERED_LATE = "score-registered-late"
    SCORE_TEMPLATE_OUTDATED = "score-template-outdated"
    SCORE_NO_MODEL = "score-no-model"
    SCORE_REPEATED = "score-repeated"
    RECOGNITION_SKIPS_LEVEL = "recognition-skips-level"
    LEVEL_NOT_IN_LADDER = "level-not-in-ladder"
    ROSTER_INCOMPLETE = "roster-incomplete"
    ROSTER_DUPLICATE_CODE = "roster-duplicate-code"
    ROSTER_UNKNOWN_KIND = "roster-unknown-kind"
    ROSTER_UNKNOWN_PARENT = "roster-unknown-parent"
    ROSTER_CYCLE = "roster-cycle"
    UNIT_NOT_IN_ROSTER = "unit-not-in-roster"
    REVIEW_UNIT_UNKNOWN_CODE = "review-unit-unknown-code"
    UNIT_SUPERSEDED = "unit-superseded"
    DUPLICATE_MODEL = "duplicate-model"


@dataclass(frozen=True)
class Problem:
    severity: Severity
    message: str  # may use {value}, {column}, {detail}
    hint: str
    refuses_file: bool = False  # nothing in the file could be read: "không đọc được"
    for_office: bool = False  # the office's to settle: not marked in the file sent back
    # Whether the unit is asked to fix its file and send it again: by default for its errors
    # only. A warning the tool or the office has already settled sends nothing back.
    asks_unit: bool | None = None

    @property
    def sent_back(self) -> bool:
        if self.asks_unit is not None:
            return self.asks_unit
        return self.severity is Severity.ERROR and not self.for_office


CATALOGUE: dict[Code, Problem] = {
    # files
    Code.FILE_UNREADABLE: Problem(
        Severity.ERROR,
        "Không mở được tệp: {detail}",
        "Mở tệp bằng Excel, lưu lại dạng .xlsx rồi gửi lại.",
        refuses_file=True,
    ),
    Code.FILE_NO_TABLE: Problem(
        Severity.ERROR,
        "Không tìm thấy bảng đăng ký, kết quả hay chấm điểm mô hình (biểu mẫu của văn phòng, "
        "Phụ lục 1, Phụ lục 4 hoặc Biểu chấm điểm) trong tệp.",
        "Điền vào biểu mẫu Excel do văn phòng gửi, hoặc theo đúng mẫu Phụ lục 1, Phụ lục 4.",
        refuses_file=True,
    ),
    Code.FILE_NOT_WORKBOOK: Problem(
        Severity.ERROR,
        "Không phải tệp Excel (.xlsx, .xls, .xlsm, .ods), thư điện tử (.eml, .msg) hay tệp nén "
        "(.zip).",
        "Gửi lại biểu mẫu dạng tệp Excel.",
        refuses_file=True,
    ),
    Code.FILE_PASSWORD: Problem(
        Severity.ERROR,
        "Tệp đặt mật khẩu ({detail}), không mở được.",
        "Bỏ mật khẩu (Excel: Tệp > Thông tin > Bảo vệ sổ làm việc) rồi gửi lại.",
        refuses_file=True,
    ),
    Code.FILE_TOO_LARGE: Problem(
        Severity.ERROR,
        "Tệp quá lớn ({value}), vượt giới hạn an toàn nên không mở.",
        "Xoá các trang, hình ảnh thừa hoặc tách thành nhiều tệp rồi gửi lại.",
        refuses_file=True,
    ),
    Code.FILE_READER_STOPPED: Problem(
        Severity.ERROR,
        "Không đọc xong tệp: {detail}.",
        "Mở tệp bằng Excel, xoá các trang, dòng, cột thừa, lưu lại dạng .xlsx rồi gửi lại.",
        refuses_file=True,
    ),
    Code.FILE_DUPLICATE: Problem(
        Severity.WARNING,
        "Trùng hoàn toàn với tệp {detail}; chỉ tính một lần.",
        "Không cần gửi lại cùng một tệp.",
    ),
    Code.CONTAINER_EMPTY: Problem(
        Severity.ERROR,
        "Không có tệp Excel nào bên trong.",
        "Đính kèm biểu mẫu Excel rồi gửi lại.",
        refuses_file=True,
    ),
    Code.CONTAINER_TOO_DEEP: Problem(
        Severity.ERROR,
        "Tệp nén lồng nhau quá nhiều lớp.",
        "Gửi thẳng tệp Excel, không nén nhiều lần.",
        refuses_file=True,
    ),
    Code.ZIP_TOO_MANY: Problem(
        Severity.ERROR,
        "Tệp nén chứa quá nhiều tệp ({value}).",
        "Chỉ nén các biểu mẫu Excel cần gửi.",
        refuses_file=True,
    ),
    Code.ZIP_TOO_LARGE: Problem(
        Severity.ERROR,
        "Tệp nén giải ra quá lớn ({value}); có thể là tệp độc hại nên không mở.",
        "Gửi thẳng các tệp Excel, không qua tệp nén.",
        refuses_file=True,
    ),
    Code.ZIP_UNSAFE_PATH: Problem(
        Severity.ERROR,
        "Đường dẫn “{value}” không an toàn; không mở tệp này.",
        "Nén lại chỉ các tệp Excel, không kèm thư mục cha.",
        refuses_file=True,
    ),
    Code.FILE_TEMPLATE_CHANGED: Problem(
        Severity.ERROR,
        "Trang “{detail}” đã bị sửa tiêu đề cột, không đọc được.",
        "Không thêm, xoá hay đổi tên cột trong biểu mẫu; điền lại vào biểu mẫu gốc.",
    ),
    Code.FILE_WRONG_YEAR: Problem(
        Severity.ERROR,
        "Biểu mẫu của năm {value}, nhưng đợt tổng hợp là năm {detail}.",
        "Dùng biểu mẫu của năm đang tổng hợp.",
    ),
    Code.FILE_NO_UNIT: Problem(
        Severity.ERROR,
        "Chưa ghi tên đơn vị ở đầu trang “{detail}” (và các trang khác cũng không có).",
        "Ghi tên chi bộ, đoàn thể hoặc đơn vị vào ô “Tên đơn vị”.",
    ),
    Code.FILE_EMPTY: Problem(
        Severity.WARNING,
        "Biểu mẫu chưa có dòng mô hình nào.",
        "Điền ít nhất một mô hình rồi gửi lại.",
        asks_unit=True,
    ),
    # cells
    Code.REQUIRED: Problem(
        Severity.ERROR,
        "Thiếu “{column}”.",
        "Điền “{column}” cho mô hình này.",
    ),
    Code.NOT_IN_LIST: Problem(
        Severity.ERROR,
        "“{value}” không có trong danh mục “{column}”.",
        "Chọn một giá trị trong danh sách thả xuống của cột “{column}”.",
    ),
    Code.FIELD_OTHER: Problem(
        Severity.WARNING,
        "Lĩnh vực “{value}” không có trong danh mục; đã xếp vào “Khác: {value}”.",
        "Nếu mô hình thuộc một lĩnh vực chính, chọn lại trong danh sách thả xuống.",
    ),
    Code.NOT_WHOLE_NUMBER: Problem(
        Severity.ERROR,
        "“{value}” không phải số nguyên dương.",
        "Ghi số lượng là số nguyên từ 1 trở lên (1, 2, 3…).",
    ),
    Code.TEXT_CONTROL_CHARACTER: Problem(
        Severity.WARNING,
        "Ô có ký tự điều khiển không in được; đã bỏ ký tự đó, còn “{value}”.",
        "Kiểm tra lại nội dung ô (thường do sao chép từ phần mềm khác).",
        asks_unit=False,
    ),
    Code.COUNT_IMPLAUSIBLE: Problem(
        Severity.ERROR,
        "Số lượng {value} quá lớn cho một dòng (tối đa {detail}); dòng này chưa được tổng hợp.",
        "Kiểm tra lại số lượng: mỗi dòng là một mô hình hoặc một nhóm nhỏ mô hình giống nhau.",
    ),
    Code.DATE_IMPLAUSIBLE: Problem(
        Severity.ERROR,
        "Ngày {value} quá xa năm tổng hợp {detail}; dòng này chưa được tổng hợp.",
        "Kiểm tra lại năm của ngày tháng (ví dụ 2026, không phải 1926 hay 2206).",
    ),
    Code.NOT_A_DATE: Problem(
        Severity.ERROR,
        "“{value}” không phải ngày hợp lệ.",
        "Ghi ngày dạng ngày/tháng/năm, ví dụ 15/3/{detail}.",
    ),
    Code.TOO_LONG: Problem(
        Severity.ERROR,
        "“{column}” dài quá {detail} ký tự.",
        "Rút gọn nội dung; phần chi tiết gửi kèm báo cáo.",
    ),
    Code.PERSON_REQUIRED: Problem(
        Severity.ERROR,
        "Mô hình do cá nhân thực hiện nhưng chưa ghi họ và tên.",
        "Ghi họ và tên (và chức vụ) của người thực hiện.",
    ),
    Code.END_BEFORE_START: Problem(
        Severity.ERROR,
        "Thời gian hoàn thành trước thời gian bắt đầu.",
        "Kiểm tra lại hai cột thời gian.",
    ),
    Code.START_AFTER_YEAR: Problem(
        Severity.ERROR,
        "Thời gian bắt đầu ({value}) sau năm tổng hợp {detail}.",
        "Mô hình đăng ký năm nào phải bắt đầu trong hoặc trước năm đó.",
    ),
    Code.FORMULA_IN_TEXT: Problem(
        Severity.ERROR,
        "Ô có công thức thay cho chữ (đang hiển thị “{value}”); dòng này chưa được tổng hợp.",
        "Gõ trực tiếp nội dung vào ô (hoặc Sao chép rồi Dán giá trị) và gửi lại.",
    ),
    Code.ANNEX_UNIT_WITHOUT_MODELS: Problem(
        Severity.WARNING,
        "Dòng “{value}” được hiểu là tên đơn vị, nhưng bên dưới không có mô hình nào.",
        "Nếu đây là một mô hình, ghi dấu “-” ở cột STT và điền lĩnh vực, địa điểm, chủ thể.",
        asks_unit=True,
    ),
    Code.SHEET_SUPERSEDED: Problem(
        Severity.WARNING,
        "Trang “{value}” đã được thay bằng tệp {detail} của cùng đơn vị, gửi sau.",
        "Không cần sửa: văn phòng dùng bản gửi sau.",
    ),
    Code.STATUS_NOT_CONTINUING: Problem(
        Severity.WARNING,
        "Đơn vị ghi “{value}”, nhưng các năm trước không có mô hình này ({detail}); "
        "đã xếp vào mô hình đăng ký mới.",
        "Mô hình chưa có ở năm trước thì chọn “Đăng ký mới” (hoặc “Xây dựng mới”).",
    ),
    Code.STATUS_CONTINUING: Problem(
        Severity.WARNING,
        "Đơn vị ghi “{value}”, nhưng đây là mô hình đã có ở năm trước ({detail}); đã xếp "
        "vào mô hình tiếp tục duy trì.",
        "Mô hình đã có từ năm trước thì chọn “Duy trì”.",
    ),
    Code.MODEL_NEEDS_REVIEW: Problem(
        Severity.WARNING,
        "Chưa chắc là mô hình cũ hay mới ({detail}); tạm xếp theo đơn vị ghi “{value}”.",
        "Ghi “Có” hoặc “Không” ở cột “Là mô hình cũ” trong tệp Can_xem_xet rồi chạy lại "
        "dvk consolidate.",
        for_office=True,
    ),
    Code.MODEL_CLAIMED: Problem(
        Severity.WARNING,
        "Mô hình năm trước {detail}; mô hình này tạm xếp vào “{value}”.",
        "Xem tệp Can_xem_xet: ghi “Có” nếu chính mô hình này mới là mô hình cũ, “Không” nếu là "
        "mô hình mới.",
        for_office=True,
    ),
    Code.REVIEW_ANSWER_UNCLEAR: Problem(
        Severity.WARNING,
        "Cột “Là mô hình cũ” ghi “{value}”, không hiểu là Có hay Không; chưa dùng.",
        "Chọn “Có” hoặc “Không” trong danh sách thả xuống.",
        for_office=True,
    ),
    # scoring sheets
    Code.SCORE_MISSING: Problem(
        Severity.ERROR,
        "Thiếu điểm {detail}.",
        "Chấm đủ mọi tiêu chí (tiêu chí không đạt thì ghi 0).",
    ),
    Code.SCORE_NOT_A_NUMBER: Problem(
        Severity.ERROR,
        "Điểm {detail} ghi “{value}”, không phải số.",
        "Ghi điểm bằng số, ví dụ 5 hoặc 4,5.",
    ),
    Code.SCORE_NEGATIVE: Problem(
        Severity.ERROR,
        "Điểm {detail} là số âm ({value}).",
        "Điểm thấp nhất là 0.",
    ),
    Code.SCORE_ABOVE_MAX: Problem(
        Severity.ERROR,
        "Điểm {detail} là {value}, vượt điểm tối đa.",
        "Chấm lại trong khoảng từ 0 đến điểm tối đa của tiêu chí.",
    ),
    Code.SCORE_UNKNOWN_CRITERION: Problem(
        Severity.WARNING,
        "Tiêu chí số {value} không có trong biểu chấm điểm đang dùng; không tính điểm này.",
        "Dùng biểu chấm điểm mới nhất của văn phòng.",
    ),
    Code.SCORE_BOTH_VARIANTS: Problem(
        Severity.ERROR,
        "Mục II chấm cả phần II.1 (tập thể) và phần II.2 (cá nhân).",
        "Chỉ chấm phần đúng với chủ thể thực hiện mô hình.",
    ),
    Code.SCORE_WRONG_VARIANT: Problem(
        Severity.ERROR,
        "Mô hình do {value} thực hiện nhưng mục II được chấm theo phần {detail}.",
        "Chấm lại mục II theo phần đúng với chủ thể (II.1 tập thể, II.2 cá nhân).",
    ),
    Code.SCORE_TOTAL_MISMATCH: Problem(
        Severity.WARNING,
        "Tổng điểm ghi {value} khác tổng các tiêu chí ({detail}); dùng tổng các tiêu chí.",
        "Cộng lại điểm hoặc kiểm tra điểm từng tiêu chí.",
    ),
    Code.SCORE_NOT_REGISTERED: Problem(
        Severity.WARNING,
        "Mô hình không có trong danh sách đăng ký năm nay nhưng {detail} được {value} điểm.",
        "Tiêu chí này yêu cầu mô hình đăng ký từ đầu năm: kiểm tra lại tên mô hình, đơn vị.",
    ),
    Code.SCORE_REGISTERED_LATE: Problem(
        Severity.WARNING,
        "Mô hình đăng ký ngày {value}, sau hạn {detail}.",
        "Xem lại điểm tiêu chí đăng ký thực hiện từ đầu năm.",
    ),
    Code.SCORE_TEMPLATE_OUTDATED: Problem(
        Severity.ERROR,
        "Biểu chấm điểm được lập theo bộ tiêu chí khác với bộ văn phòng đang dùng.",
        "Chấm lại trên biểu chấm điểm mới (dvk templates).",
        refuses_file=True,
    ),
    Code.SCORE_NO_MODEL: Problem(
        Severity.ERROR,
        "Không thấy tên mô hình hoặc tên đơn vị ở phía trên bảng chấm điểm.",
        "Ghi “Tên mô hình: …” và “Đơn vị: …” ở các dòng phía trên bảng.",
    ),
    Code.SCORE_REPEATED: Problem(
        Severity.WARNING,
        "Mô hình “{value}” đã được chấm cùng cấp ở {detail}; chỉ dùng bản chấm đó.",
        "Mỗi mô hình chỉ chấm một lần cho mỗi cấp đề nghị.",
    ),
    Code.RECOGNITION_SKIPS_LEVEL: Problem(
        Severity.WARNING,
        "Đề nghị công nhận {value} nhưng mô hình chưa được công nhận {detail} (các năm trước "
        "hoặc đợt này).",
        "Mô hình cấp trên được chọn từ mô hình đã được công nhận ở cấp liền dưới.",
        for_office=True,
    ),
    Code.LEVEL_NOT_IN_LADDER: Problem(
        Severity.WARNING,
        "Cấp đề nghị công nhận “{value}” không có trong các cấp của văn phòng ({detail}).",
        "Chọn cấp trong danh sách thả xuống.",
    ),
    # the roster
    Code.ROSTER_INCOMPLETE: Problem(
        Severity.ERROR,
        "Dòng thiếu {column}; đơn vị này chưa có trong danh mục.",
        "Ghi đủ mã đơn vị và tên đơn vị.",
    ),
    Code.ROSTER_DUPLICATE_CODE: Problem(
        Severity.ERROR,
        "Mã đơn vị “{value}” bị trùng; chỉ dùng dòng đầu tiên.",
        "Mỗi đơn vị một mã riêng.",
    ),
    Code.ROSTER_UNKNOWN_KIND: Problem(
        Severity.WARNING,
        "Loại đơn vị “{value}” không có trong danh sách; tạm xếp là “Khác”.",
        "Chọn loại đơn vị trong danh sách thả xuống.",
    ),
    Code.ROSTER_UNKNOWN_PARENT: Problem(
        Severity.ERROR,
        "Đơn vị “{detail}” ghi mã cấp trên “{value}” không có trong danh mục; tạm xếp trực thuộc "
        "văn phòng.",
        "Ghi đúng mã của đơn vị cấp trên (hoặc để trống nếu trực thuộc văn phòng).",
    ),
    Code.ROSTER_CYCLE: Problem(
        Severity.ERROR,
        "Đơn vị “{detail}” ({value}) nằm trong vòng cấp trên lặp lại; tạm xếp trực thuộc "
        "văn phòng.",
        "Kiểm tra cột mã đơn vị cấp trên.",
    ),
    Code.UNIT_NOT_IN_ROSTER: Problem(
        Severity.WARNING,
        "Đơn vị “{value}” không có trong danh mục đơn vị (kể cả tên cũ); {detail} mô hình của "
        "đơn vị này chưa được tổng hợp.",
        "Ghi mã đơn vị (nếu là tên cũ của một đơn vị trong danh mục) hoặc “Mới” ở trang “Đơn vị "
        "chưa có trong danh mục” của tệp Can_xem_xet, rồi chạy lại dvk consolidate.",
        for_office=True,
    ),
    Code.REVIEW_UNIT_UNKNOWN_CODE: Problem(
        Severity.WARNING,
        "Đã ghi “{value}” cho đơn vị “{detail}”, nhưng danh mục không có mã này; chưa dùng.",
        "Ghi đúng mã đơn vị trong danh mục (cột “Mã đơn vị”), hoặc “Mới”.",
        for_office=True,
    ),
    Code.UNIT_SUPERSEDED: Problem(
        Severity.WARNING,
        "Các mô hình của “{value}” trong tệp này được thay bằng tệp {detail}, gửi sau; chỉ tính "
        "một lần.",
        "Không cần sửa: văn phòng dùng bản gửi sau.",
    ),
    Code.DUPLICATE_MODEL: Problem(
        Severity.WARNING,
        "Mô hình trùng với dòng {detail}; chỉ tính một lần.",
        "Xoá dòng trùng trong biểu mẫu.",
    ),
}


@dataclass(frozen=True)
class Issue:
    """One problem in one place: a file, a sheet, an Excel row (1-based) and a column header."""

    file: str
    code: Code
    sheet: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""
    detail: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", Code(self.code))  # an unknown code fails here

    @classmethod
    def at_row(cls, rows, index, code: Code, column: str = "", value="", detail="") -> Issue:
        """A problem at one row of a frame that carries where its rows came from (the
        `_file`, `_sheet` and `_row` of records.PROVENANCE), after frictionless' Error.from_row."""
        return cls(
            file=rows.at[index, "_file"],
            sheet=rows.at[index, "_sheet"],
            row=int(rows.at[index, "_row"]),
            column=column,
            code=code,
            value=value,
            detail=detail,
        )

    @property
    def severity(self) -> Severity:
        return CATALOGUE[self.code].severity

    @property
    def message(self) -> str:
        return CATALOGUE[self.code].message.format(
            value=self.value, column=self.column, detail=self.detail
        )

    @property
    def hint(self) -> str:
        return CATALOGUE[self.code].hint.format(
            value=self.value, column=self.column, detail=self.detail
        )

    def to_dict(self) -> dict:
        # Its fields are all plain values: copied as they are (asdict deep-copies each one,
        # a fifth of a second for a province's intake workbook).
        return {**vars(self), "severity": str(self.severity), "message": self.message}


def issues_by_file(issues: list[Issue]) -> dict[str, list[Issue]]:
    """The issues of each file, in their order."""
    found: dict[str, list[Issue]] = {}
    for issue in issues:
        found.setdefault(issue.file, []).append(issue)
    return found


def sort_key(issue: Issue) -> tuple:
    return (issue.file, issue.sheet, issue.row or 0, issue.column, issue.code)
