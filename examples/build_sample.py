"""Build the sample inbox of a commune (xã Diễn Châu, 2026) from the unit template.

Run `make sample` (or `python examples/build_sample.py`) and review the diff. The names follow
models that communes publish; people's names are invented.
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
import unicodedata
from email.message import EmailMessage
from pathlib import Path

import pandas as pd
from openpyxl import Workbook, load_workbook

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from pipeline import forms, vocab  # noqa: E402
from pipeline.config import load_config  # noqa: E402
from pipeline.normalize import ascii_slug, match_choice  # noqa: E402
from pipeline.report.phu_luc import write_phu_luc_1, write_phu_luc_4  # noqa: E402
from pipeline.report.roster_template import write_roster_template  # noqa: E402
from pipeline.report.score_template import score_template_path, write_score_template  # noqa: E402
from pipeline.report.template import fill_template, template_path, write_template  # noqa: E402
from pipeline.rules import ScoringRules, load_score_sheet  # noqa: E402
from tests.fixtures.build_annexes import P1_HEAD, P1_MERGES, P1_TITLE, write_sheets  # noqa: E402
from tests.fixtures.build_scores import (  # noqa: E402
    EXACTLY_75,
    FULL,
    fill_score_template,
    messy_sheet,
    seed_sheet,
)

WORKSPACE = ROOT / "xa-dien-chau"
KT, VH, QP, XD, NTM = (vocab.FIELD_BY_CODE[c].label for c in ("KT", "VHXH", "QPAN", "XDD", "NTM"))
TT, CN = "Tập thể", "Cá nhân"
OLD, NEW = "Duy trì từ năm trước", "Đăng ký mới"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# unit -> models: (name, field, subject, person, place, lead, scale, status, result, self)
UNITS: dict[str, list[tuple]] = {
    "Chi bộ Công an xã": [
        (
            "Camera an ninh khu dân cư",
            QP,
            TT,
            "",
            "Toàn xã",
            "Công an xã",
            "120 camera",
            OLD,
            "Lắp thêm 35 camera, phát hiện 6 vụ việc",
            "Vượt",
        ),
        (
            "Tổ tự quản an ninh trật tự xóm",
            QP,
            TT,
            "",
            "12 xóm",
            "Công an xã",
            "12 tổ, 96 thành viên",
            NEW,
            "Hòa giải 14 vụ việc tại cơ sở",
            "Bằng",
        ),
        (
            "Công an xã đồng hành cùng người dân làm căn cước",
            XD,
            CN,
            "Trần Văn Hùng",
            "Trụ sở Công an xã",
            "Công an xã",
            "2.300 lượt",
            NEW,
            "Hướng dẫn 2.300 lượt người dân làm thủ tục",
            "Vượt",
        ),
    ],
    "Chi bộ Quân sự xã": [
        (
            "Dân vận khéo trong tuyển quân",
            QP,
            TT,
            "",
            "Toàn xã",
            "Ban CHQS xã",
            "18 thanh niên",
            OLD,
            "Giao quân đạt 100% chỉ tiêu",
            "Bằng",
        ),
        (
            "Dân quân giúp dân thu hoạch mùa màng",
            KT,
            TT,
            "",
            "Xóm Bắc Sơn, xóm Yên Lý",
            "Ban CHQS xã",
            "40 hộ",
            NEW,
            "Giúp 46 hộ thu hoạch 12 ha lúa",
            "Vượt",
        ),
    ],
    "Chi bộ Trạm Y tế xã": [
        (
            "Trạm Y tế thân thiện, vì người bệnh",
            VH,
            TT,
            "",
            "Trạm Y tế xã",
            "Trạm Y tế",
            "7.000 lượt khám",
            OLD,
            "Tỷ lệ hài lòng đạt 96%",
            "Vượt",
        ),
        (
            "Vận động người dân tham gia bảo hiểm y tế",
            VH,
            TT,
            "",
            "Toàn xã",
            "Trạm Y tế",
            "Tỷ lệ 93%",
            NEW,
            "Tỷ lệ tham gia BHYT đạt 94,2%",
            "Vượt",
        ),
    ],
    "Chi bộ Trường THCS Diễn Châu": [
        (
            "Cổng trường an toàn giao thông",
            VH,
            TT,
            "",
            "Trường THCS",
            "Liên đội",
            "850 học sinh",
            OLD,
            "Không có học sinh vi phạm ATGT",
            "Bằng",
        ),
        (
            "Thư viện xanh",
            VH,
            TT,
            "",
            "Trường THCS",
            "Đoàn trường",
            "3.000 đầu sách",
            NEW,
            "Bổ sung 1.200 đầu sách",
            "Bằng",
        ),
        (
            "Giáo viên giúp học sinh nghèo vượt khó",
            VH,
            CN,
            "Nguyễn Thị Mai",
            "Trường THCS",
            "Công đoàn",
            "15 học sinh",
            NEW,
            "12/15 em lên lớp loại khá",
            "Bằng",
        ),
    ],
    "Chi bộ Trường Tiểu học Diễn Châu": [
        (
            "Nuôi heo đất giúp bạn đến trường",
            VH,
            TT,
            "",
            "Trường Tiểu học",
            "Liên đội",
            "40 heo đất",
            OLD,
            "Trao 32 suất học bổng",
            "Vượt",
        ),
        (
            "Chuyển đổi số trong quản lý học sinh",
            XD,
            TT,
            "",
            "Trường Tiểu học",
            "Ban giám hiệu",
            "620 học sinh",
            NEW,
            "100% phụ huynh nhận thông báo qua ứng dụng",
            "Bằng",
        ),
    ],
    "Hội Nông dân xã": [
        (
            "Tổ hợp tác trồng rau an toàn",
            KT,
            TT,
            "",
            "Xóm Đông Lộc",
            "Hội Nông dân",
            "5 ha, 32 hộ",
            OLD,
            "Thu nhập bình quân tăng 18%",
            "Vượt",
        ),
        (
            "Nông dân hiến đất làm đường giao thông nội đồng",
            NTM,
            TT,
            "",
            "Xóm Trung Hải",
            "Hội Nông dân",
            "2,4 km",
            NEW,
            "Hiến 3.100 m² đất, làm 2,4 km đường",
            "Vượt",
        ),
        (
            "Liên kết tiêu thụ sản phẩm OCOP",
            "phát triển kinh tế",
            TT,
            "",
            "Toàn xã",
            "Hội Nông dân",
            "3 sản phẩm",
            NEW,
            "2 sản phẩm đạt OCOP 3 sao",
            "Bằng",
        ),
        (
            "Nông dân sản xuất kinh doanh giỏi",
            KT,
            CN,
            "Hoàng Văn Sáu",
            "Xóm Yên Lý",
            "Hội Nông dân",
            "Trang trại 3 ha",
            OLD,
            "Tạo việc làm cho 12 lao động",
            "Vượt",
        ),
    ],
    "Hội Liên hiệp Phụ nữ xã": [
        (
            "Phụ nữ tiết kiệm giúp nhau phát triển kinh tế",
            KT,
            TT,
            "",
            "12 chi hội",
            "Hội Phụ nữ",
            "420 hội viên",
            OLD,
            "Giúp 15 hội viên vay vốn không lãi",
            "Vượt",
        ),
        (
            "Hũ gạo tình thương",
            VH,
            TT,
            "",
            "12 chi hội",
            "Hội Phụ nữ",
            "12 hũ gạo",
            OLD,
            "Trao 2,5 tấn gạo cho hộ khó khăn",
            "Bằng",
        ),
        (
            "Nhà sạch, vườn đẹp",
            NTM,
            TT,
            "",
            "Toàn xã",
            "Hội Phụ nữ",
            "300 hộ",
            NEW,
            "285 hộ đạt tiêu chí",
            "Kém",
        ),
        (
            "Mẹ đỡ đầu trẻ mồ côi",
            VH,
            CN,
            "Phan Thị Hương",
            "Xóm Bắc Sơn",
            "Hội Phụ nữ",
            "4 trẻ",
            NEW,
            "Hỗ trợ 4 trẻ mỗi tháng",
            "Bằng",
        ),
    ],
    "Đoàn Thanh niên xã": [
        (
            "Thắp sáng đường quê",
            NTM,
            TT,
            "",
            "Xóm Trung Hải, xóm Nam Thịnh",
            "Đoàn Thanh niên",
            "3 km đèn",
            OLD,
            "Lắp 110 bóng đèn, 3,2 km",
            "Vượt",
        ),
        (
            "Thanh niên hướng dẫn người dân dùng dịch vụ công trực tuyến",
            XD,
            TT,
            "",
            "Bộ phận một cửa",
            "Đoàn Thanh niên",
            "1.500 hồ sơ",
            NEW,
            "Hướng dẫn nộp 1.740 hồ sơ trực tuyến",
            "Vượt",
        ),
        (
            "Ngày thứ Bảy tình nguyện",
            VH,
            TT,
            "",
            "Toàn xã",
            "Đoàn Thanh niên",
            "52 buổi",
            NEW,
            "Tổ chức 48 buổi ra quân",
            "Kém",
        ),
    ],
    "Hội Cựu chiến binh xã": [
        (
            "Cựu chiến binh giúp nhau làm kinh tế",
            KT,
            TT,
            "",
            "Toàn xã",
            "Hội CCB",
            "60 hội viên",
            OLD,
            "Giúp 8 hộ thoát nghèo",
            "Vượt",
        ),
        (
            "Cựu chiến binh tham gia hòa giải ở cơ sở",
            QP,
            TT,
            "",
            "12 xóm",
            "Hội CCB",
            "24 tổ",
            OLD,
            "Hòa giải thành 21 vụ",
            "Bằng",
        ),
        (
            "Cựu chiến binh gương mẫu giữ gìn an ninh xóm",
            QP,
            CN,
            "Lê Văn Tư",
            "Xóm Đông Lộc",
            "Hội CCB",
            "1 xóm",
            NEW,
            "Xóm không có tội phạm",
            "Bằng",
        ),
    ],
    "Ủy ban MTTQ Việt Nam xã": [
        (
            "Mái ấm Mặt trận",
            VH,
            TT,
            "",
            "Toàn xã",
            "Ủy ban MTTQ",
            "5 nhà",
            OLD,
            "Bàn giao 5 nhà Đại đoàn kết",
            "Bằng",
        ),
        (
            "Khu dân cư văn hóa, đoàn kết",
            "VHXH",
            TT,
            "",
            "12 khu dân cư",
            "Ban công tác Mặt trận",
            "12 khu",
            OLD,
            "11/12 khu đạt danh hiệu",
            "Kém",
        ),
        (
            "Đồng bào có đạo sống tốt đời, đẹp đạo",
            "Tôn giáo - dân tộc",
            TT,
            "",
            "Giáo họ Yên Lý",
            "Ủy ban MTTQ",
            "210 hộ",
            NEW,
            "210 hộ ký cam kết",
            "Bằng",
        ),
    ],
    "Ủy ban nhân dân xã": [
        (
            "Chính quyền thân thiện, vì Nhân dân phục vụ",
            XD,
            TT,
            "",
            "Trụ sở UBND xã",
            "UBND xã",
            "Bộ phận một cửa",
            OLD,
            "98% hồ sơ giải quyết đúng hạn",
            "Vượt",
        ),
        (
            "Dân vận khéo trong giải phóng mặt bằng",
            KT,
            TT,
            "",
            "Dự án đường ven biển",
            "UBND xã",
            "86 hộ",
            NEW,
            "86/86 hộ bàn giao mặt bằng",
            "Vượt",
        ),
        (
            "Tiếp dân, đối thoại với Nhân dân",
            XD,
            CN,
            "Nguyễn Văn Lâm",
            "Trụ sở UBND xã",
            "UBND xã",
            "24 buổi",
            NEW,
            "Tổ chức 24 buổi tiếp dân",
            "Bằng",
        ),
    ],
    "Chi bộ xóm Bắc Sơn": [
        (
            "Tuyến đường hoa",
            NTM,
            TT,
            "",
            "Xóm Bắc Sơn",
            "Chi bộ",
            "1,2 km",
            OLD,
            "Trồng mới 800 m hoa",
            "Vượt",
        ),
        (
            "Dòng họ không có tội phạm",
            QP,
            TT,
            "",
            "Xóm Bắc Sơn",
            "Chi bộ",
            "6 dòng họ",
            NEW,
            "6/6 dòng họ đạt",
            "Bằng",
        ),
    ],
    "Chi bộ xóm Đông Lộc": [
        (
            "Phân loại rác thải tại nguồn",
            VH,
            TT,
            "",
            "Xóm Đông Lộc",
            "Chi bộ",
            "180 hộ",
            OLD,
            "165 hộ phân loại rác",
            "Bằng",
        ),
        (
            "Đảng viên gương mẫu nơi cư trú",
            XD,
            TT,
            "",
            "Xóm Đông Lộc",
            "Chi bộ",
            "45 đảng viên",
            NEW,
            "100% đảng viên đăng ký việc làm",
            "Bằng",
        ),
    ],
    "Chi bộ xóm Trung Hải": [
        (
            "Ngư dân bám biển, giữ chủ quyền",
            QP,
            TT,
            "",
            "Bến cá Trung Hải",
            "Chi bộ",
            "40 tàu",
            OLD,
            "40 tàu lắp thiết bị giám sát",
            "Bằng",
        ),
        (
            "Hiến đất mở rộng đường xóm",
            NTM,
            TT,
            "",
            "Xóm Trung Hải",
            "Chi bộ",
            "1,5 km",
            NEW,
            "Mở rộng 1,5 km",
            "Vượt",
        ),
        (
            "Nuôi trồng thủy sản theo hướng an toàn",
            KT,
            CN,
            "Đậu Văn Thủy",
            "Xóm Trung Hải",
            "Chi bộ",
            "2 ha ao nuôi",
            NEW,
            "Doanh thu 1,2 tỷ đồng",
            "Vượt",
        ),
    ],
    "Chi bộ xóm Yên Lý": [
        (
            "Xóm không có người nghiện ma túy",
            QP,
            TT,
            "",
            "Xóm Yên Lý",
            "Chi bộ",
            "220 hộ",
            OLD,
            "Không phát sinh người nghiện mới",
            "Bằng",
        ),
        (
            "Bữa cơm nghĩa tình",
            VH,
            TT,
            "",
            "Xóm Yên Lý",
            "Chi hội Phụ nữ",
            "30 suất/tháng",
            NEW,
            "Trao 360 suất cơm",
            "Bằng",
        ),
    ],
    "Chi bộ Hợp tác xã Dịch vụ nông nghiệp": [
        (
            "Cơ giới hóa đồng bộ trên cánh đồng lớn",
            KT,
            TT,
            "",
            "Cánh đồng xóm Yên Lý",
            "Ban quản trị HTX",
            "50 ha",
            OLD,
            "Giảm 20% chi phí sản xuất",
            "Vượt",
        ),
        (
            "Dịch vụ bao tiêu lúa giống",
            KT,
            TT,
            "",
            "Toàn xã",
            "Ban quản trị HTX",
            "120 hộ",
            NEW,
            "Bao tiêu 180 tấn lúa",
            "Bằng",
        ),
    ],
}

# One unit whose file has mistakes an office meets every quarter.
FAULTY_UNIT = "Chi bộ xóm Nam Thịnh"
FAULTY_ROWS = [
    dict(
        name="Làng quê đáng sống",
        field=NTM,
        subject=TT,
        place="Xóm Nam Thịnh",
        lead="Chi bộ",
        scale="150 hộ",
        status=OLD,
    ),
    dict(
        name="Gia đình học tập", field="Giáo dục", subject=TT, place="Xóm Nam Thịnh", status=NEW
    ),  # a field that is not in the list
    dict(
        name="Người cao tuổi làm kinh tế giỏi",
        field=KT,
        subject=CN,
        place="Xóm Nam Thịnh",
        count="hai",
        status=NEW,
    ),  # an individual without a name, and a count in words
    dict(name="Tuyến đường hoa", field=NTM, subject=TT, place="", status=NEW),  # no place
    dict(
        name="Làng quê đáng sống", field=NTM, subject=TT, place="Xóm Nam Thịnh", status=OLD
    ),  # the first row again
]


# Last year (2025), as the commune's own consolidated Phụ lục 1 and 4 recorded it. Units retype
# their continuing models' names this year; two units ticked the wrong box; two xóm merged.
RETYPED_2025 = {
    "Camera an ninh khu dân cư": "Mô hình “Camera an ninh”",
    "Trạm Y tế thân thiện, vì người bệnh": "Trạm Y tế thân thiện",
    "Nuôi heo đất giúp bạn đến trường": "Nuôi lợn đất giúp bạn đến trường",
    "Tổ hợp tác trồng rau an toàn": "Tổ hợp tác rau an toàn",
    "Cơ giới hóa đồng bộ trên cánh đồng lớn": "CƠ GIỚI HÓA TRÊN CÁNH ĐỒNG LỚN",
    "Cổng trường an toàn giao thông": "Cổng trường ATGT",
    "Phụ nữ tiết kiệm giúp nhau phát triển kinh tế": unicodedata.normalize(
        "NFD", "Phụ nữ tiết kiệm giúp nhau phát triển kinh tế"
    ),
    "Khu dân cư văn hóa, đoàn kết": "Khu dân cư “văn hoá, đoàn kết”",
}
# Ticked "Duy trì" in 2026 but not in last year's annex: it belongs under "đăng ký mới".
NOT_IN_2025 = {"Dân vận khéo trong tuyển quân"}
# (unit as written in 2025, name, field, subject, place, lead, scale, reported in 2025)
ONLY_2025 = [
    # ticked "Đăng ký mới" in 2026, but it was registered in 2025: it continues
    (
        "Chi bộ Công an xã",
        "Tổ tự quản an ninh trật tự xóm",
        QP,
        TT,
        "12 xóm",
        "Công an xã",
        "12 tổ",
        True,
    ),
    # close to this year's "Dịch vụ bao tiêu lúa giống", not close enough: a person decides
    (
        "Chi bộ Hợp tác xã Dịch vụ nông nghiệp",
        "Bao tiêu lúa giống cho hội viên",
        KT,
        TT,
        "Toàn xã",
        "Ban quản trị HTX",
        "80 hộ",
        True,
    ),
    # not continued in 2026
    (
        "Chi bộ Quân sự xã",
        "Dân quân tự vệ giúp dân sửa nhà",
        QP,
        TT,
        "Toàn xã",
        "Ban CHQS xã",
        "6 nhà",
        True,
    ),
    ("Hội Nông dân xã", "Cánh đồng mẫu lớn", KT, TT, "Xóm Đông Lộc", "Hội Nông dân", "30 ha", True),
    (
        "Đoàn Thanh niên xã",
        "Tuổi trẻ chung tay xây dựng nông thôn mới",
        NTM,
        TT,
        "Toàn xã",
        "Đoàn Thanh niên",
        "12 chi đoàn",
        False,
    ),
    # xóm Bắc Sơn 1 and 2 merged into xóm Bắc Sơn (declared in dvk.toml, [doi_ten_don_vi])
    ("Chi bộ xóm Bắc Sơn 1", "Tuyến đường hoa", NTM, TT, "Xóm Bắc Sơn 1", "Chi bộ", "1,2 km", True),
    (
        "Chi bộ xóm Bắc Sơn 2",
        "Vườn cây nghĩa tình",
        VH,
        TT,
        "Xóm Bắc Sơn 2",
        "Chi bộ",
        "20 hộ",
        True,
    ),
    (
        "Chi bộ xóm Nam Thịnh",
        "Làng quê đáng sống",
        NTM,
        TT,
        "Xóm Nam Thịnh",
        "Chi bộ",
        "150 hộ",
        True,
    ),
    (
        "Hội Người cao tuổi xã",
        "CLB liên thế hệ tự giúp nhau",
        VH,
        TT,
        "Xóm Bắc Sơn",
        "Hội NCT",
        "35 hội viên",
        True,
    ),
]
MERGED_UNITS = {"Chi bộ xóm Bắc Sơn": ("Chi bộ xóm Bắc Sơn 1", "Chi bộ xóm Bắc Sơn 2")}


def models_2025() -> pd.DataFrame:
    """Last year's models, as normalized rows (codes, not labels) for the annex writers."""
    rows = []
    for unit, models in UNITS.items():
        for model in models:
            name, field, subject, person, place, lead, scale, status, outcome, _ = model
            if status != OLD or name in NOT_IN_2025 or unit in MERGED_UNITS:
                continue
            rows.append(
                (
                    unit,
                    RETYPED_2025.get(name, name),
                    field,
                    subject,
                    person,
                    place,
                    lead,
                    scale,
                    outcome,
                )
            )
    for unit, name, field, subject, place, lead, scale, reported in ONLY_2025:
        rows.append((unit, name, field, subject, "", place, lead, scale, "Đạt" if reported else ""))
    frame = pd.DataFrame(
        rows,
        columns=["unit", "name", "field", "subject", "person", "place", "lead", "scale", "results"],
    )
    frame["field"] = frame["field"].map(lambda v: match_choice("field", v))
    frame["subject"] = frame["subject"].map(lambda v: match_choice("subject", v))
    frame["field_other"] = ""
    frame["position"] = ""
    frame["count"] = 1
    # Every other model was itself continuing from 2024, as a commune's list would have it.
    frame["status"] = ["DUY_TRI" if i % 2 else "MOI" for i in range(len(frame))]
    return frame


def last_year_annexes(folder: Path) -> None:
    """The 2025 Phụ lục 1 and 4, written by this tool, for `dvk history import`."""
    cfg = dataclasses.replace(load_config(WORKSPACE / "dvk.toml"), year=2025)
    models = models_2025()
    folder.mkdir(parents=True, exist_ok=True)
    write_phu_luc_1(folder / "Phu_luc_1_dang_ky_2025.xlsx", models, cfg)
    reported = models[models["results"] != ""].copy()
    reported["results"] = reported["results"].where(reported["results"] != "Đạt", "Duy trì tốt")
    write_phu_luc_4(folder / "Phu_luc_4_ket_qua_2025.xlsx", reported, cfg)


def registration(model: tuple) -> dict:
    name, field, subject, person, place, lead, scale, status, *_ = model
    return dict(
        name=name,
        field=field,
        subject=subject,
        person=person or None,
        place=place,
        lead=lead,
        scale=scale,
        status=status,
        count=1,
        level="Cấp xã",
        start="01/01/2026" if status == NEW else "01/01/2025",
        end="31/12/2026",
        expected=None,
    )


def result(model: tuple) -> dict:
    name, field, subject, person, place, lead, _, status, outcome, assessment = model
    return dict(
        name=name,
        field=field,
        subject=subject,
        person=person or None,
        place=place,
        lead=lead,
        count=1,
        results=outcome,
        status="Xây dựng mới" if status == NEW else "Duy trì",
        self_assessment=assessment,
    )


def file_name(unit: str) -> str:
    return ascii_slug(unit) + ".xlsx"


def hand_typed_email(inbox: Path, year: int) -> None:
    """Hội Người cao tuổi typed the seed's Phụ lục 1 themselves and e-mailed it."""
    rows = [
        ["HỘI NGƯỜI CAO TUỔI XÃ", "", "", "", "", "", "", "", "Phụ lục 1"],
        [],
        [P1_TITLE.format(year=year)],
        [],
        *P1_HEAD,
        ["", "Tổng số", 2, "", "", "", "", 2, ""],
        ["I", f"Mô hình tiếp tục duy trì từ năm {year - 1}", 1, "", "", "", "", "", ""],
        [
            "-",
            "Câu lạc bộ liên thế hệ tự giúp nhau",
            1,
            "Xóm Bắc Sơn",
            "Hội NCT",
            "VHXH",
            "35 hội viên",
            "x",
            "",
        ],
        ["II", f"Mô hình đăng ký mới năm {year}", 1, "", "", "", "", "", ""],
        [
            "-",
            "Người cao tuổi gương mẫu giữ gìn an ninh xóm",
            1,
            "Xóm Yên Lý",
            "Hội NCT",
            "QP-AN",
            "4 tổ",
            "x",
            "",
        ],
        [],
        ["*", "Tổng số mô hình theo lĩnh vực:"],
    ]
    with tempfile.TemporaryDirectory() as tmp:
        workbook = Path(tmp) / "pl1.xlsx"
        write_sheets(workbook, [("Sheet1", rows, P1_MERGES)])
        message = EmailMessage()
        message["From"] = "Hội Người cao tuổi xã <hoinguoicaotuoi.dienchau@example.vn>"
        message["To"] = "banxaydungdang.dienchau@example.vn"
        message["Subject"] = "Đăng ký mô hình Dân vận khéo năm 2026"
        message["Date"] = "Mon, 02 Mar 2026 09:15:00 +0700"
        message.set_content("Kính gửi Ban Xây dựng Đảng, Hội gửi Phụ lục 1 đăng ký mô hình.")
        maintype, subtype = XLSX.split("/")
        message.add_attachment(
            workbook.read_bytes(),
            maintype=maintype,
            subtype=subtype,
            filename="Phụ lục 1 Hội NCT.xlsx",
        )
        (inbox / "thu_hoi_nguoi_cao_tuoi.eml").write_bytes(bytes(message))


# The commune's appraisal team scored some models on the scoring template; two units sent the
# seed's own sheet typed by hand. One fails on a mandatory criterion, one is proposed a level too
# high, one total is mis-added, one model was never registered, one sheet scores the wrong part.
SCORED = [
    ("Chi bộ Công an xã", "Camera an ninh khu dân cư", FULL, "Cấp xã", None),
    ("Chi bộ Trạm Y tế xã", "Trạm Y tế thân thiện, vì người bệnh", EXACTLY_75, "Cấp xã", None),
    ("Hội Nông dân xã", "Tổ hợp tác trồng rau an toàn", FULL | {9: 8}, "Cấp xã", None),
    ("Hội Liên hiệp Phụ nữ xã", "Hũ gạo tình thương", FULL | {6: 3}, "Cấp tỉnh", None),
    ("Đoàn Thanh niên xã", "Thắp sáng đường quê", FULL | {8: 3, 14: 5, 12: 3}, "Cấp xã", 98),
    ("Đoàn Thanh niên xã", "Sân chơi cho thiếu nhi", FULL | {10: 6}, "Cấp xã", None),
]


def scoring_files(inbox: Path, cfg) -> None:
    rules = ScoringRules(load_score_sheet(), cfg.ladder)
    with tempfile.TemporaryDirectory() as tmp:
        template = score_template_path(Path(tmp), cfg.year)
        write_score_template(template, cfg, rules)
        rows = [
            dict(unit=u, name=n, points=p, level=lv) | ({"total": t} if t else {})
            for u, n, p, lv, t in SCORED
        ]
        fill_score_template(template, inbox / "bien_ban_cham_diem_to_tham_dinh.xlsx", rows)
    messy_sheet(
        inbox / "phieu_cham_diem_truong_thcs.xlsx",
        "Chi bộ Trường THCS Diễn Châu",
        "Giáo viên giúp học sinh nghèo vượt khó",
        FULL,
    )
    # A collective model scored on II.2, the part for individuals.
    seed_sheet(
        inbox / "phieu_cham_diem_hoi_ccb.xlsx",
        "Hội Cựu chiến binh xã",
        "Cựu chiến binh giúp nhau làm kinh tế",
        FULL,
        subject="CA_NHAN",
    )


# The commune's roster: every unit it expects forms from, in the order its annexes list them.
# Chi bộ xóm Hải Lộc sends nothing this year; xóm Bắc Sơn keeps its two former names.
ROSTER = [
    ("CB-DANG", "Chi bộ Cơ quan Đảng", "Chi bộ", "chibo.coquandang@example.vn", ""),
    ("CB-CA", "Chi bộ Công an xã", "Chi bộ", "congan.dienchau@example.vn", ""),
    ("CB-QS", "Chi bộ Quân sự xã", "Chi bộ", "quansu.dienchau@example.vn", ""),
    ("CB-YT", "Chi bộ Trạm Y tế xã", "Chi bộ", "tramyte.dienchau@example.vn", ""),
    ("CB-THCS", "Chi bộ Trường THCS Diễn Châu", "Chi bộ", "thcs.dienchau@example.vn", ""),
    ("CB-TH", "Chi bộ Trường Tiểu học Diễn Châu", "Chi bộ", "tieuhoc.dienchau@example.vn", ""),
    ("CB-HTX", "Chi bộ Hợp tác xã Dịch vụ nông nghiệp", "Chi bộ", "htx.dienchau@example.vn", ""),
    ("CB-BS", "Chi bộ xóm Bắc Sơn", "Chi bộ", "bacson@example.vn",
     "Chi bộ xóm Bắc Sơn 1; Chi bộ xóm Bắc Sơn 2"),
    ("CB-DL", "Chi bộ xóm Đông Lộc", "Chi bộ", "dongloc@example.vn", ""),
    ("CB-NT", "Chi bộ xóm Nam Thịnh", "Chi bộ", "namthinh@example.vn", ""),
    ("CB-TRH", "Chi bộ xóm Trung Hải", "Chi bộ", "trunghai@example.vn", ""),
    ("CB-YL", "Chi bộ xóm Yên Lý", "Chi bộ", "yenly@example.vn", ""),
    ("CB-HL", "Chi bộ xóm Hải Lộc", "Chi bộ", "hailoc@example.vn", ""),
    ("MTTQ", "Ủy ban MTTQ Việt Nam xã", "Đoàn thể", "mttq.dienchau@example.vn", ""),
    ("HND", "Hội Nông dân xã", "Đoàn thể", "hoinongdan.dienchau@example.vn", ""),
    ("HPN", "Hội Liên hiệp Phụ nữ xã", "Đoàn thể", "hoiphunu.dienchau@example.vn", ""),
    ("DTN", "Đoàn Thanh niên xã", "Đoàn thể", "doanthanhnien.dienchau@example.vn", ""),
    ("CCB", "Hội Cựu chiến binh xã", "Đoàn thể", "hoiccb.dienchau@example.vn", ""),
    ("NCT", "Hội Người cao tuổi xã", "Đoàn thể", "hoinguoicaotuoi.dienchau@example.vn", ""),
    ("UBND", "Ủy ban nhân dân xã", "Cơ quan", "ubnd.dienchau@example.vn", ""),
]  # fmt: skip


def roster_workbook(path: Path, cfg) -> None:
    write_roster_template(path, cfg)
    wb = load_workbook(path)
    ws = wb.active
    for offset, (code, name, kind, email, former) in enumerate(ROSTER):
        for col, value in enumerate((code, name, kind, "", None, email, former), start=1):
            ws.cell(forms.ROSTER_FIRST_ROW + offset, col, value)
    wb.save(path)


def main(inbox: Path = WORKSPACE / "inbox") -> None:
    cfg = load_config(WORKSPACE / "dvk.toml")
    inbox.mkdir(parents=True, exist_ok=True)
    for old in [*inbox.glob("*.xlsx"), *inbox.glob("*.eml")]:
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        template = template_path(Path(tmp), cfg.year)
        write_template(template, cfg)
        for unit, models in UNITS.items():
            sheets = {
                "Đăng ký": [registration(m) for m in models],
                "Kết quả": [result(m) for m in models],
            }
            fill_template(template, inbox / file_name(unit), unit, sheets)
        fill_template(
            template, inbox / file_name(FAULTY_UNIT), FAULTY_UNIT, {"Đăng ký": FAULTY_ROWS}
        )
    hand_typed_email(inbox, cfg.year)
    scoring_files(inbox, cfg)
    roster_workbook(inbox.parent / forms.ROSTER_FILENAME, cfg)
    last_year_annexes(inbox.parent / "nam_truoc")
    # Someone forwarded a list that is neither the form nor an annex: nothing to read in it.
    wb = Workbook()
    wb.active["A1"] = "Danh sách mô hình năm 2025"
    wb.save(inbox / "danh_sach_mo_hinh_2025.xlsx")
    print(f"{len(list(inbox.iterdir()))} tệp trong {inbox}")


if __name__ == "__main__":
    main()
