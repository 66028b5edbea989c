"""The workspace config: defaults that load, and clear Vietnamese errors for mistakes."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from pipeline.config import ConfigError, load_config, write_default_config
from tests.helpers import SAMPLE


def test_default_config_loads(tmp_path):
    path = tmp_path / "dvk.toml"
    write_default_config(path, 2026, "BAN DÂN VẬN", "Yên Bái")
    cfg = load_config(path)
    assert (cfg.office_name, cfg.place, cfg.year) == ("BAN DÂN VẬN", "Yên Bái", 2026)
    assert cfg.registration_deadline == dt.date(2026, 3, 5)
    assert cfg.sign_date is None
    assert (cfg.link_rules.link_at, cfg.link_rules.review_at) == (90, 75)
    assert cfg.unit_renames == ()


def test_thresholds_and_renamed_units_are_read(tmp_path):
    path = tmp_path / "dvk.toml"
    write_default_config(path, 2026)
    text = path.read_text(encoding="utf-8").replace("lien_ket_tu = 90", "lien_ket_tu = 85.5")
    text += '"Chi bộ xóm 3" = "Chi bộ xóm Đông"\n'
    path.write_text(text, encoding="utf-8")
    cfg = load_config(path)
    assert cfg.link_rules.link_at == 85.5
    assert cfg.renamed_units() == {"Chi bộ xóm 3": "Chi bộ xóm Đông"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[dot_tong_hop]\nnam_hoc = 2026\n", "có mục không hiểu: [dot_tong_hop] nam_hoc"),
        ("[dot_tong_hop]\nnăm = 2026\n", "viết sai cú pháp ở dòng 2, cột 2"),
        (
            "[van_phong]\nten = 'A'\n[dot_tong_hop]\nnam = 2026\nhan_dang_ky = '5/3'\n",
            "han_dang_ky phải là ngày",
        ),
        ("[van_phong]\nten = ''\n[dot_tong_hop]\nnam = 2026\n", "ten (tên đơn vị tổng hợp)"),
        ("nam = = 2026", "viết sai cú pháp ở dòng 1"),
        (
            "[van_phong]\nten = 'A'\n[dot_tong_hop]\nnam = 2026\n"
            "[lien_ket_nam_truoc]\nlien_ket_tu = 70\nxem_xet_tu = 80\n",
            "xem_xet_tu không lớn hơn lien_ket_tu (đang là 70 và 80)",
        ),
        (
            "[van_phong]\nten = 'A'\n[dot_tong_hop]\nnam = 2026\n"
            "[lien_ket_nam_truoc]\nlien_ket_tu = 'cao'\n",
            "là số từ 0 đến 100",
        ),
        (
            "[van_phong]\nten = 'A'\n[dot_tong_hop]\nnam = 2026\n[doi_ten_don_vi]\n'Xóm 3' = 3\n",
            "“Xóm 3” phải gán bằng tên mới",
        ),
    ],
)
def test_mistakes_are_named(tmp_path, text, message):
    path = tmp_path / "dvk.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(path)


def test_placeholders_left_by_init_are_named_and_a_filled_config_has_none(tmp_path):
    from pipeline.config import placeholders, write_default_config

    path = tmp_path / "dvk.toml"
    write_default_config(path, 2026)
    assert placeholders(load_config(path)) == [
        "[van_phong] cap_tren = “ĐẢNG ỦY XÃ …”",
        "[van_phong] dia_danh = “…”",
        "[ky_ten] ho_ten còn để trống",
    ]
    assert placeholders(load_config(SAMPLE / "dvk.toml")) == []


def test_every_command_warns_of_placeholders_once(tmp_path):
    from tests.helpers import dvk

    dvk("init", str(tmp_path))
    for command in (["templates"], ["consolidate"], ["history", "list"]):
        run = dvk(*command, "-w", str(tmp_path))
        assert run.stderr.count("còn chỗ chưa sửa (in lên Phụ lục)") == 1, command
        assert "[ky_ten] ho_ten còn để trống" in run.stderr
