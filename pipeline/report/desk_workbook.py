"""The control workbook dvk_dieu_khien.xlsm: four buttons, the year and quarter to type, and
the last run's summary. XlsxWriter writes it: openpyxl cannot add a VBA project or buttons.

The macros are pipeline/data/vbaProject.bin (built by examples/build_vba_project.py from
xlwings' quickstart workbook); each button calls a function of desk.py through xlwings.
"""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from pipeline import forms
from pipeline.config import Config

VBA_PROJECT = Path(__file__).resolve().parent.parent / "data" / "vbaProject.bin"
FONT = "Times New Roman"
NO_XLWINGS = (
    "Excel chưa chạy được các nút này vì chưa cài xlwings. Trên máy này, mở Command Prompt, gõ "
    '“py -m pip install "dvk-pipeline[excel]"” rồi “xlwings addin install”, mở lại tệp này '
    "và chọn Enable Content (Bật nội dung). Cũng có thể bấm đúp tệp Tong_hop.bat trong thư mục "
    "này để tổng hợp mà không cần Excel."
)
HOW_TO = (
    "Cách dùng:",
    "1. Chép các tệp đơn vị gửi về (Excel, thư .eml, .msg kéo từ Outlook, tệp .zip) vào thư mục "
    "inbox.",
    "2. Gõ năm (và quý, nếu tổng hợp theo quý) vào ô màu vàng, bấm “Tổng hợp”.",
    "3. Bấm “Mở kết quả” để xem Phụ lục 1 và Phụ lục 4; trang “Kết quả lần chạy” ghi số tệp, "
    "số mô hình, lỗi và đơn vị chưa gửi.",
    "4. Thư soạn sẵn cho đơn vị cần sửa hoặc chưa gửi nằm trong outbox/<năm>/thu_gui: mở bằng "
    "Outlook, xem lại rồi bấm Gửi.",
    "“Tạo biểu mẫu”: tạo biểu mẫu gửi các đơn vị. “Kiểm tra”: xem máy và thư mục đã sẵn sàng chưa.",
)


def write_desk(path: Path, cfg: Config) -> None:
    book = xlsxwriter.Workbook(str(path))
    book.add_vba_project(str(VBA_PROJECT))
    book.set_vba_name("ThisWorkbook")  # the document modules the VBA project has
    plain = book.add_format(
        {"font_name": FONT, "font_size": 12, "text_wrap": True, "valign": "top"}
    )
    bold = book.add_format({"font_name": FONT, "font_size": 12, "bold": True})
    title = book.add_format({"font_name": FONT, "font_size": 16, "bold": True})
    typed = book.add_format(
        {
            "font_name": FONT,
            "font_size": 14,
            "bold": True,
            "bg_color": "#FFF2CC",
            "border": 1,
            "locked": False,
            "align": "center",
        }
    )
    status = book.add_format(
        {"font_name": FONT, "font_size": 12, "italic": True, "text_wrap": True, "valign": "top"}
    )
    desk = book.add_worksheet(forms.DESK_SHEET)
    desk.set_vba_name("Sheet1")
    desk.set_column("A:A", 30)
    desk.set_column("B:B", 14)
    desk.set_column("C:C", 4)
    desk.set_column("D:E", 22)
    desk.write("A1", "BẢNG ĐIỀU KHIỂN TỔNG HỢP MÔ HÌNH “DÂN VẬN KHÉO”", title)
    desk.write("A2", cfg.office_name, bold)
    desk.write("A4", "Năm tổng hợp", bold)
    desk.write_number("B4", cfg.year, typed)
    desk.write("A5", "Quý (1–4; để trống: cả năm)", bold)
    desk.write_blank("B5", None, typed)
    desk.data_validation(
        "B5",
        {
            "validate": "integer",
            "criteria": "between",
            "minimum": 1,
            "maximum": 4,
            "error_message": "Quý là 1, 2, 3 hoặc 4; để trống nếu tổng hợp cả năm.",
        },
    )
    book.define_name(forms.DESK_YEAR, f"='{forms.DESK_SHEET}'!$B$4")
    book.define_name(forms.DESK_QUARTER, f"='{forms.DESK_SHEET}'!$B$5")
    for n, (caption, macro, _) in enumerate(forms.DESK_BUTTONS):
        cell = ("D4", "E4", "D7", "E7")[n]
        desk.insert_button(cell, {"macro": macro, "caption": caption, "width": 150, "height": 44})
    desk.write("A10", "Trạng thái", bold)
    desk.merge_range("B10:E11", "Chưa chạy lần nào.", status)
    book.define_name(forms.DESK_STATUS, f"='{forms.DESK_SHEET}'!$B$10")
    for row, line in enumerate(HOW_TO, start=13):
        desk.merge_range(row - 1, 0, row - 1, 4, line, bold if row == 13 else plain)
        desk.set_row(row - 1, 33 if len(line) > 90 else 18)
    last = 13 + len(HOW_TO) + 1
    desk.merge_range(last - 1, 0, last - 1, 4, NO_XLWINGS, plain)
    desk.set_row(last - 1, 66)
    book.define_name(forms.DESK_NO_XLWINGS, f"='{forms.DESK_SHEET}'!$A${last}")
    desk.set_landscape()
    desk.set_paper(9)  # A4
    desk.fit_to_pages(1, 1)
    desk.activate()
    _summary_sheet(book, bold, plain, title)
    book.close()


def _summary_sheet(book, bold, plain, title) -> None:
    sheet = book.add_worksheet(forms.DESK_SUMMARY_SHEET)
    sheet.set_vba_name("Sheet2")
    sheet.set_column("A:A", 30)
    sheet.set_column("B:B", 90)
    sheet.write("A1", "KẾT QUẢ LẦN CHẠY GẦN NHẤT", title)
    for row, (_, label) in enumerate(forms.DESK_SUMMARY, start=forms.DESK_SUMMARY_FIRST_ROW):
        sheet.write(row - 1, 0, label, bold)
    sheet.write(forms.DESK_DETAIL_ROW - 2, 0, "Chi tiết", bold)
    sheet.set_column("B:B", 90, plain)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
