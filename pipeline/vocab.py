"""Closed lists of the movement (fields, subjects, statuses, marks) as declared tables."""

from __future__ import annotations

from dataclasses import dataclass

# linh_vuc: the field a model works in. Order is the seed 004 note:
# "xếp tuần tự theo từng lĩnh vực sau: KT; VHXH, QPAN, XDĐ&HTCT, …".


@dataclass(frozen=True)
class Field:
    code: str
    label: str  # what the dropdown and the annex column show
    footer: str  # the footer line "- Lĩnh vực …: N mô hình"
    always_in_footer: bool
    synonyms: tuple[str, ...] = ()


FIELDS: tuple[Field, ...] = (
    Field(
        "KT",
        "Kinh tế",
        "Lĩnh vực phát triển kinh tế",
        True,
        ("kt", "phát triển kinh tế", "kinh tế", "lĩnh vực kinh tế"),
    ),
    Field(
        "VHXH",
        "Văn hóa - xã hội",
        "Lĩnh vực văn hóa - xã hội",
        True,
        ("vhxh", "vh-xh", "văn hóa xã hội", "văn hóa - xh", "văn hóa-xã hội", "văn hóa, xã hội"),
    ),
    Field(
        "QPAN",
        "Quốc phòng - an ninh",
        "Lĩnh vực quốc phòng - an ninh",
        True,
        ("qpan", "qp-an", "quốc phòng an ninh", "an ninh - quốc phòng", "an ninh quốc phòng"),
    ),
    Field(
        "XDD",
        "Xây dựng Đảng và hệ thống chính trị",
        "Lĩnh vực xây dựng Đảng và hệ thống chính trị",
        True,
        (
            "xdđ&htct",
            "xdđ và htct",
            "xd htct",
            "xdhtct",
            "xây dựng hệ thống chính trị",
            "xây dựng đảng và htct",
            "xây dựng đảng",
            "xây dựng đảng, hệ thống chính trị",
        ),
    ),
    Field(
        "NTM",
        "Xây dựng nông thôn mới",
        "Lĩnh vực xây dựng nông thôn mới",
        False,
        ("ntm", "xd ntm", "nông thôn mới", "xây dựng ntm"),
    ),
    Field(
        "DTVM",
        "Xây dựng đô thị văn minh",
        "Lĩnh vực xây dựng đô thị văn minh",
        False,
        ("đô thị văn minh", "xây dựng đô thị văn minh", "văn minh đô thị"),
    ),
    Field(
        "TGDT",
        "Tôn giáo - dân tộc",
        "Lĩnh vực tôn giáo - dân tộc",
        False,
        ("tôn giáo dân tộc", "dân tộc - tôn giáo", "dân tộc tôn giáo"),
    ),
    Field("KHAC", "Khác", "Lĩnh vực khác", False, ("lĩnh vực khác",)),
)
FIELD_BY_CODE = {f.code: f for f in FIELDS}
FIELD_ORDER = {f.code: i for i, f in enumerate(FIELDS)}

# chu_the: who runs the model, a collective (tập thể) or an individual (cá nhân).
SUBJECTS = {"TAP_THE": "Tập thể", "CA_NHAN": "Cá nhân"}
SUBJECT_SYNONYMS = {"TAP_THE": ("tt", "tập thể"), "CA_NHAN": ("cn", "cá nhân")}

# Registration sheet: continuing from earlier years (duy trì) or new this year (mới).
STATUSES = {"DUY_TRI": "Duy trì từ năm trước", "MOI": "Đăng ký mới"}

# What became of an inbox file (records.FileStatus), as the intake report and the summary say it.
FILE_STATUS_LABELS = {
    "accepted": "đã tiếp nhận",
    "has-errors": "có lỗi",
    "unreadable": "không đọc được",
    "duplicate": "trùng",
    "superseded": "đã được thay thế",
}
# A scored model's outcome (records.Outcome), as the scoring results print it.
OUTCOME_LABELS = {"passed": "Đạt", "failed": "Không đạt", "not-judged": "Chưa xét"}
STATUS_SYNONYMS = {
    "DUY_TRI": ("duy trì", "tiếp tục duy trì", "mô hình cũ", "cũ", "duy trì từ năm trước"),
    "MOI": ("mới", "đăng ký mới", "xây dựng mới", "xd mới", "mô hình mới"),
}
# Results sheet wording of the same two states (Phụ lục 4 columns "XD mới" / "Duy trì").
RESULT_STATUSES = {"MOI": "Xây dựng mới", "DUY_TRI": "Duy trì"}

# tu_danh_gia: self-assessment against the registered targets (seed 002, step 4).
SELF_ASSESSMENTS = {"VUOT": "Vượt", "BANG": "Bằng", "KEM": "Kém"}
SELF_ASSESSMENT_SYNONYMS = {
    "VUOT": ("vượt", "vượt chỉ tiêu"),
    "BANG": ("bằng", "đạt", "bằng chỉ tiêu"),
    "KEM": ("kém", "không đạt", "thấp hơn"),
}

# cap: the level a model is registered for (seed 001 "Cấp tỉnh, cấp huyện, cấp cơ sở";
# from 2025 the two-level local government adds "cấp xã").
LEVELS = {"CO_SO": "Cấp cơ sở", "XA": "Cấp xã", "HUYEN": "Cấp huyện", "TINH": "Cấp tỉnh"}
LEVEL_SYNONYMS = {
    "CO_SO": ("cơ sở", "cấp cơ sở"),
    "XA": ("xã", "cấp xã", "phường", "cấp phường"),
    "HUYEN": ("huyện", "cấp huyện"),
    "TINH": ("tỉnh", "cấp tỉnh"),
}

# Headers of the seed annexes as units type them, by the column they mean. A header matches when
# its comparison key contains one of the phrases; the first column that matches wins, so the
# longer, more specific phrases come first ("tóm tắt quy mô, kết quả" before "quy mô").
ANNEX_HEADERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("stt", ("stt", "tt", "số tt", "số thứ tự")),
    ("name", ("tên mô hình", "mô hình")),
    ("count", ("số lượng", "sl")),
    ("place", ("địa điểm", "nơi thực hiện", "nơi xây dựng")),
    ("lead", ("chủ trì", "đơn vị chủ trì")),
    ("field", ("lĩnh vực", "lãnh vực")),
    ("results", ("kết quả", "tóm tắt")),
    ("scale", ("quy mô",)),
    ("subject", ("chủ thể",)),
    ("kind", ("trong đó", "xây dựng mới/duy trì", "phân loại")),
)
# The split columns under "Chủ thể" and "Trong đó": their sub-headers, by the value they mark.
ANNEX_SUBHEADERS: dict[str, tuple[str, ...]] = {
    "TAP_THE": ("tập thể",),
    "CA_NHAN": ("cá nhân",),
    "MOI": ("xd mới", "xây dựng mới", "mới"),
    "DUY_TRI": ("duy trì",),
}
# Rows of an annex that are not models: matched on the comparison key of the name column.
ANNEX_TOTAL_ROW = ("tổng số", "tổng cộng", "cộng")
ANNEX_FOOTER_START = ("tổng số mô hình theo lĩnh vực", "tổng số tập thể", "ghi chú")
# Section rows "I" and "II" of Phụ lục 1, by the words their titles use. A row is a section
# heading by its words alone, numbered or not: it opens with ANNEX_SECTION_OPENINGS (after any
# numeral) and names one of the sections. No unit's name opens that way.
ANNEX_SECTIONS = {"DUY_TRI": ("duy trì", "tiếp tục"), "MOI": ("mới", "đăng ký mới")}
ANNEX_SECTION_HEADINGS = {
    "DUY_TRI": (
        "mô hình tiếp tục duy trì", "mô hình duy trì", "mô hình đã có", "mô hình cũ",
        "các mô hình tiếp tục duy trì", "các mô hình duy trì", "tiếp tục duy trì", "duy trì",
    ),
    "MOI": (
        "mô hình đăng ký mới", "mô hình đăng ký xây dựng mới", "mô hình xây dựng mới",
        "mô hình mới", "các mô hình đăng ký mới", "các mô hình mới", "đăng ký mới",
        "xây dựng mới",
    ),
}  # fmt: skip
# A heading line that names a department of an office, not the office: a lower office's annex
# headed "ĐẢNG ỦY XÃ BÌNH MINH / BAN XÂY DỰNG ĐẢNG" comes from the commune named above it.
OFFICE_DEPARTMENTS = ("ban ", "văn phòng", "ủy ban kiểm tra", "uỷ ban kiểm tra", "phòng ")
# Lines below a table that end it when no "Ghi chú" comes first: signatures, dates, addressees.
ANNEX_END_LINES = (
    "người lập", "t/m", "tm ", "tm.", "kt ", "kt.", "bí thư", "phó bí thư", "chủ tịch",
    "trưởng ban", "phó trưởng ban", "xác nhận", "nơi nhận", "thủ trưởng",
)  # fmt: skip
ANNEX_TITLES = {"REGISTRATION": ("đăng ký",), "RESULTS": ("kết quả", "báo cáo")}

# Marks that mean "ticked" in an X column.
TICKS = ("x", "✓", "✔", "v", "có", "1", "+")

# A field that matches no entry keeps the unit's words behind this prefix, as "Khác: …".
OTHER_FIELD_PREFIX = "Khác: "

# Linking a model to itself across years (pipeline/link/). Units retype names: these say what
# to ignore and what to expand before two names are compared. Two names that are the same after
# these steps are strong evidence of one model; anything else is only partial evidence.
NAME_PREFIXES = (
    "tiếp tục duy trì mô hình",
    "duy trì mô hình",
    "xây dựng mô hình",
    "thực hiện mô hình",
    "mô hình dân vận khéo",
    "mô hình điểm",
    "mô hình",
    "dân vận khéo",
)
# Phrases that say nothing about which model it is ("… trên địa bàn xã").
NAME_FILLERS = (
    "trên địa bàn xã",
    "trên địa bàn phường",
    "trên địa bàn thị trấn",
    "trên địa bàn",
    "tại địa phương",
    "ở địa phương",
)
NAME_ABBREVIATIONS = {
    "antq": "an ninh tổ quốc",
    "antt": "an ninh trật tự",
    "atgt": "an toàn giao thông",
    "attp": "an toàn thực phẩm",
    "atvstp": "an toàn vệ sinh thực phẩm",
    "bhxh": "bảo hiểm xã hội",
    "bhyt": "bảo hiểm y tế",
    "bvmt": "bảo vệ môi trường",
    "bvtv": "bảo vệ thực vật",
    "ccb": "cựu chiến binh",
    "cchc": "cải cách hành chính",
    "cđs": "chuyển đổi số",
    "clb": "câu lạc bộ",
    "dtts": "dân tộc thiểu số",
    "dvk": "dân vận khéo",
    "đtn": "đoàn thanh niên",
    "đvtn": "đoàn viên thanh niên",
    "gpmb": "giải phóng mặt bằng",
    "hlhpn": "hội liên hiệp phụ nữ",
    "hnd": "hội nông dân",
    "hpn": "hội phụ nữ",
    "htx": "hợp tác xã",
    "kdc": "khu dân cư",
    "nct": "người cao tuổi",
    "ntm": "nông thôn mới",
    "pccc": "phòng cháy chữa cháy",
    "pctp": "phòng chống tội phạm",
    "ptkt": "phát triển kinh tế",
    "sxkd": "sản xuất kinh doanh",
    "tdp": "tổ dân phố",
    "tdtt": "thể dục thể thao",
    "tht": "tổ hợp tác",
    "tngt": "tai nạn giao thông",
    "tnxh": "tệ nạn xã hội",
    "tthc": "thủ tục hành chính",
    "vhvn": "văn hóa văn nghệ",
    "vppl": "vi phạm pháp luật",
    "vsmt": "vệ sinh môi trường",
}
# Words that name a place when they end a model's name ("… thôn 3", "… xóm Đông Hồ"): two names
# that end in different places are different models. The place's own words are capitalised or
# numbers ("thôn Đông", "tổ 4"), which tells "tổ dân phố 4" from "tổ may sinh kế".
PLACE_MARKERS = (
    "tổ dân phố",
    "khu dân cư",
    "khu phố",
    "thôn",
    "xóm",
    "bản",
    "tổ",
    "khu",
    "ấp",
    "làng",
    "xã",
    "phường",
)
# Phrases that start with a place marker but are ordinary words, not places.
NOT_PLACES = (
    "xã hội",
    "thôn mới",
    "tổ quốc",
    "tổ chức",
    "tổ hợp",
    "khu vực",
    "bản sắc",
    "bản thân",
    "bản lĩnh",
    "làng nghề",
    "xã viên",
)
# Who a model serves or is run by. Two names whose groups differ ("Tổ thanh niên tự quản…",
# "Tổ phụ nữ tự quản…") are different models, however long the frame they share.
TARGET_GROUPS = (
    "người cao tuổi",
    "người khuyết tật",
    "cựu chiến binh",
    "phụ nữ",
    "nông dân",
    "thanh niên",
    "thiếu nhi",
    "học sinh",
    "sinh viên",
    "trẻ em",
    "công nhân",
    "đoàn viên",
    "đảng viên",
    "ngư dân",
    "giáo viên",
    "tiểu thương",
    "doanh nghiệp",
    "hộ nghèo",
)

# What two names say about being one model (link.names.Evidence.why), as the review workbook
# and the "Khác với đơn vị ghi" sheet explain it.
LINK_EVIDENCE = {
    "same": "Trùng tên mô hình năm trước (không kể chữ hoa/thường, dấu câu, “Mô hình”, viết tắt, "
    "năm)",
    "place-added": "Giống tên mô hình năm trước nhưng thêm hoặc bớt địa điểm",
    "words-added": "Giống tên mô hình năm trước nhưng thêm hoặc bớt một số từ",
    "close": "Gần giống tên mô hình năm trước",
    "folded": "Gần giống tên mô hình năm trước khi bỏ dấu (có thể gõ thiếu dấu)",
    "other-place": "Giống tên mô hình năm trước nhưng khác địa điểm",
    "other-number": "Giống tên mô hình năm trước nhưng khác con số",
    "other-group": "Giống tên mô hình năm trước nhưng khác đối tượng",
    "far": "Không giống mô hình năm trước",
}
LINK_DECIDED = "Văn phòng quyết định (tệp Cần xem xét)"
LINK_NOTHING_NEAR = "Không giống mô hình nào trong {count} mô hình năm {years} của đơn vị"
# Why a model is in the review list (link.years.*), first column a person reads.
REVIEW_REASONS = {
    "partial-against-tick": "Gần giống mô hình năm trước nhưng đơn vị ghi “Đăng ký mới”",
    "two-candidates": "Gần giống hai mô hình năm trước: chọn mô hình nào",
    "unknown-unit": "Đơn vị chưa có ở các năm trước mà ghi “Duy trì” (đổi tên chưa khai?)",
    "near-but-different": "Đơn vị ghi “Duy trì” nhưng mô hình năm trước gần nhất khác địa điểm, "
    "con số hoặc đối tượng",
    "claimed": "Mô hình năm trước gần nhất đã được tính cho mô hình “{claimed_by}” của đơn vị",
    "shared-unit-name": "Tên đơn vị “{unit}” có ở nhiều đơn vị cấp trên: mô hình năm trước gần "
    "giống có thể là của đơn vị khác cùng tên",
}

# Answers to "Là mô hình cũ?" in the review workbook, as staff may type them.
# "Là đơn vị nào": a unit the roster does not list yet, counted as a unit of its own.
REVIEW_NEW_UNIT = ("mới", "moi", "đơn vị mới", "don vi moi", "mới thành lập")
REVIEW_ANSWERS = {
    True: ("có", "co", "c", "x", "đúng", "phải", "cũ", "1", "yes", "y"),
    False: ("không", "khong", "k", "ko", "sai", "mới", "0", "no", "n"),
}

# The seed's scoring sheet typed by hand ("Biểu chấm điểm mô hình"): its table's headers, and the
# "label: value" lines above it that say which model is scored. First phrase that matches wins.
SCORE_HEADERS = (
    ("stt", ("stt", "tt", "số tt")),
    ("maximum", ("điểm tối đa", "tối đa", "điểm chuẩn", "thang điểm")),
    (
        "points",
        ("điểm đánh giá", "điểm chấm", "điểm thẩm định", "điểm đạt", "điểm thực tế", "số điểm"),
    ),
    ("text", ("tiêu chí", "nội dung")),
    ("note", ("ghi chú",)),
)
SCORE_LABELS = (
    ("name", ("tên mô hình", "mô hình")),
    ("unit", ("đơn vị thực hiện", "tên đơn vị", "đơn vị", "cơ quan, đơn vị", "tập thể thực hiện")),
    ("subject", ("chủ thể",)),
    ("level", ("đề nghị công nhận", "cấp đề nghị", "cấp công nhận")),
    ("scorer", ("người chấm", "người đánh giá")),
    ("scored_on", ("ngày chấm",)),
)
SCORE_TOTAL_ROW = ("tổng cộng", "tổng điểm", "tổng")
SCORE_VARIANTS = {"TAP_THE": ("ii.1", "ii1", "ii 1"), "CA_NHAN": ("ii.2", "ii2", "ii 2")}

# Kinds of unit in the office's roster, and the quota of models each kind registers by default
# (seeds 003 and 004: each chi bộ ≥ 1, each đảng bộ cơ sở ≥ 2, each đoàn thể ≥ 5; the commune as a
# whole ≥ 42). An office changes the numbers in dvk.toml, [chi_tieu].
UNIT_KINDS = {
    "CHI_BO": "Chi bộ",
    "DANG_BO_CO_SO": "Đảng bộ cơ sở",
    "DOAN_THE": "Đoàn thể",
    "THON": "Thôn, bản, tổ dân phố",
    "CO_QUAN": "Cơ quan",
    "DOANH_NGHIEP": "Doanh nghiệp",
    "XA": "Xã, phường",
    "KHAC": "Khác",
}
UNIT_KIND_SYNONYMS = {
    "CHI_BO": ("chi bộ", "chi bo"),
    "DANG_BO_CO_SO": ("đảng bộ cơ sở", "đảng bộ", "đbcs"),
    "DOAN_THE": ("đoàn thể", "hội", "mặt trận", "đoàn thanh niên", "công đoàn"),
    "THON": ("thôn", "bản", "tổ dân phố", "xóm", "khu dân cư", "thôn, bản"),
    "CO_QUAN": ("cơ quan", "phòng, ban", "đơn vị sự nghiệp"),
    "DOANH_NGHIEP": ("doanh nghiệp", "công ty"),
    "XA": ("xã", "phường", "thị trấn", "đảng bộ xã"),
    "KHAC": ("khác",),
}
DEFAULT_QUOTAS = {"CHI_BO": 1, "DANG_BO_CO_SO": 2, "DOAN_THE": 5, "XA": 42}
