"""The read cache: a re-run reads only what is new or changed, and gives what a cold run gives."""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import os
import pickle
import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from pipeline import Office, checking, forms, normalize, records, scoring, vocab
from pipeline.config import load_config
from pipeline.consolidate import consolidate
from pipeline.ingest import arrivals, find_inbox_files, isolated
from pipeline.ingest import cache as cache_module
from pipeline.ingest.cache import (
    BUNDLE_ENTRY,
    BYTES_ENTRY,
    CHECKED_ENTRY,
    LINKS_ENTRY,
    NAMES_ENTRY,
    KeptBytes,
    ReadCache,
)
from pipeline.link import History, years
from pipeline.rules import DEFAULT_RULES, LinkRules
from tests.helpers import dvk
from tests.workbook_dump import dump_workbook


def outputs(run) -> dict[str, dict]:
    """Every workbook a run published, by its place in the outbox, as a normalized dump."""
    outbox = run.office.workspace.outbox
    return {
        p.relative_to(outbox).as_posix(): dump_workbook(p) for p in sorted(outbox.rglob("*.xlsx"))
    }


def test_a_cached_rerun_writes_what_a_cold_run_writes(sample_workspace, tmp_path):
    cold_ws = tmp_path / "cold"
    shutil.copytree(sample_workspace, cold_ws)
    office = Office.open(sample_workspace)
    first = office.consolidate()
    first.publish()
    assert first.result.read_from_cache == 0
    warm = office.consolidate()
    warm.publish()
    assert warm.result.read_from_cache == len(office.inbox_files())
    # The same inbox read afresh in a workspace with the same history (one run recorded).
    Office.open(cold_ws).consolidate().publish()
    shutil.rmtree(cold_ws / ".dvk_bo_dem")
    cold = Office.open(cold_ws).consolidate()
    cold.publish()
    assert cold.result.read_from_cache == 0
    assert outputs(warm) == outputs(cold)
    where = {"tep_ket_qua": {}, "so_tep_doc_tu_bo_dem": 0}  # where each came from, apart
    assert warm.report.to_dict() | where == cold.report.to_dict() | where
    assert warm.report.stats["so_tep_doc_tu_bo_dem"] == len(office.inbox_files())


def run(workspace, cache):
    cfg = load_config(workspace / "dvk.toml")
    return consolidate(workspace / "inbox", cfg.year, cache=cache)


@pytest.fixture
def cached(sample_workspace, tmp_path):
    """The sample read once, its readings kept; (workspace, cache folder, files in the inbox)."""
    cache = tmp_path / "cache"
    run(sample_workspace, cache)
    return sample_workspace, cache, len(find_inbox_files(sample_workspace / "inbox"))


def test_a_changed_file_is_read_again_and_its_change_is_seen(cached):
    ws, cache, n = cached
    path = ws / "inbox" / "chi_bo_xom_bac_son.xlsx"
    book = load_workbook(path)
    sheet = book[forms.REGISTRATION.name]
    cell = sheet.cell(forms.REGISTRATION.first_data_row, 2)
    cell.value = "Tuyến đường hoa mới đổi tên"
    book.save(path)
    again = run(ws, cache)
    assert again.read_from_cache == n - 1
    assert "Tuyến đường hoa mới đổi tên" in set(again.registrations["name"])


def test_a_removed_file_is_forgotten(cached):
    ws, cache, n = cached
    gone = ws / "inbox" / "chi_bo_xom_bac_son.xlsx"
    before = run(ws, cache)
    gone.unlink()
    again = run(ws, cache)
    assert again.read_from_cache == n - 1
    assert len(readings(cache)) == n - 1  # its reading is not kept any more
    kept = {p.name.split(".")[0] for p in kept_bytes(cache)}
    assert kept and kept <= {p.stem for p in readings(cache)}  # nor its bytes
    assert gone.name in set(before.registrations["_file"])
    assert gone.name not in set(again.registrations["_file"])


def test_a_new_template_version_reads_everything_again(cached, monkeypatch):
    ws, cache, _ = cached
    monkeypatch.setattr(forms, "TEMPLATE_VERSION", forms.TEMPLATE_VERSION + 1)
    assert run(ws, cache).read_from_cache == 0


def test_a_changed_rule_reads_everything_again(cached, monkeypatch):
    """A spelling the reader accepts is a rule: the readings made without it are not kept."""
    ws, cache, _ = cached
    more = {**vocab.STATUS_SYNONYMS, "MOI": (*vocab.STATUS_SYNONYMS["MOI"], "mới toanh")}
    monkeypatch.setattr(vocab, "STATUS_SYNONYMS", more)
    assert run(ws, cache).read_from_cache == 0


def test_a_broken_entry_is_read_again(cached):
    ws, cache, n = cached
    for entry in readings(cache)[:2]:
        entry.write_bytes(b"not a pickle")
    before = run(ws, cache)
    assert before.read_from_cache == n - 2
    assert run(ws, cache).read_from_cache == n  # and kept again


def test_the_office_keeps_its_cache_in_the_workspace(sample_workspace):
    run = Office.open(sample_workspace).consolidate()
    assert run.result.read_from_cache == 0
    assert len(readings(sample_workspace / ".dvk_bo_dem")) == len(
        find_inbox_files(sample_workspace / "inbox")
    )


def test_the_summary_says_how_many_files_were_not_read_again(consolidated):
    run = dvk("consolidate", "-w", consolidated)
    n = len(find_inbox_files(consolidated / "inbox"))
    assert f"{n} tệp không thay đổi từ lần chạy trước" in run.stdout


def readings(cache) -> list:
    memos = cache_module.MEMO_ENTRIES
    return sorted(p for p in cache.iterdir() if p.stem not in memos and "." not in p.stem)


def kept_bytes(cache) -> list:
    """The entries holding workbooks' bytes, apart from their readings."""
    return sorted(cache.glob(f"*.{BYTES_ENTRY}.pickle"))


def test_a_rerun_takes_apart_no_name_again(cached, monkeypatch):
    """The names' keys a run worked out are kept; the next run, with nothing new to link,
    looks its models up by them and takes apart only the names scoring compares."""
    ws, cache, _ = cached
    first = run(ws, cache)
    normalize._PARTS.clear()  # as a new process starts: only what the cache kept
    normalize._KEYS.clear()
    years._MEMO.clear()
    seen, scored = [], []
    work, scoring_now = normalize._name_parts, _while_scoring(monkeypatch)

    def taken_apart(name):
        (scored if scoring_now else seen).append(name)
        return work(name)

    monkeypatch.setattr(normalize, "_name_parts", taken_apart)
    again = run(ws, cache)
    assert scored  # the sample has scoring sheets: their names are compared, and not kept
    assert not [name for name in seen if isinstance(name, str)]
    assert set(first.registrations["name"]) <= set(normalize._KEYS)
    assert all(normalize.model_key(n) == work(n).key for n in first.registrations["name"])
    assert again.registrations["model_id"].tolist() == first.registrations["model_id"].tolist()


def test_a_first_run_takes_its_models_names_apart_in_the_readers(sample_workspace, monkeypatch):
    """Each reader process takes apart the model names of the files it reads, so that the
    main process takes apart none of them (they were most of checking a province's inbox)."""
    normalize._PARTS.clear()
    normalize._KEYS.clear()
    seen = []
    work = normalize._name_parts
    monkeypatch.setattr(normalize, "_name_parts", lambda name: seen.append(name) or work(name))
    first = run(sample_workspace, None)
    names = set(first.registrations["name"]) | set(first.results["name"])
    assert names and not names & set(seen)
    assert all(normalize.name_parts(n) == work(n) for n in names)


def test_a_rerun_works_out_no_sort_key_of_its_models_again(cached, monkeypatch):
    """The keys the annexes sort the models by are kept, and worked out before the writers."""
    ws, cache, _ = cached
    first = run(ws, cache)
    texts = set(first.registrations["name"]) | set(first.results["unit"])
    assert texts <= set(normalize.known_sort_keys())  # before any annex is written
    normalize._SORT_KEYS.clear()
    seen = []
    work = normalize._sort_key
    monkeypatch.setattr(normalize, "_sort_key", lambda text: seen.append(text) or work(text))
    run(ws, cache)
    assert not set(seen) & texts
    assert all(normalize.sort_key(t) == work(t) for t in texts)


def test_a_broken_names_entry_is_worked_out_again(cached):
    ws, cache, n = cached
    (cache / f"{NAMES_ENTRY}.pickle").write_bytes(b"not a pickle")
    normalize._KEYS.clear()
    assert run(ws, cache).read_from_cache == n
    assert normalize._KEYS  # worked out afresh, and kept again
    assert (cache / f"{NAMES_ENTRY}.pickle").read_bytes() != b"not a pickle"


@pytest.fixture
def with_history(sample_workspace):
    """The sample with its 2025 annexes in the registry: (office, cache folder)."""
    office = Office.open(sample_workspace)
    office.import_history(sorted((sample_workspace / "nam_truoc").glob("*.xlsx")), 2025).record()
    return office, sample_workspace / ".dvk_bo_dem"


def _linked(result) -> list:
    columns = ["model_id", "link", "status", "score", "match", "candidates", "review_reason"]
    return result.registrations[columns].astype(str).to_numpy().tolist()


def _counting_comparisons(monkeypatch) -> list:
    """The names linking to earlier years compares (not those scoring matches to this year's
    registrations, with link_models: it keeps nothing)."""
    compared = []
    find, matching = years.candidates, _while_scoring(monkeypatch)

    def counted(name, block, rules):
        if not matching:
            compared.append(name)
        return find(name, block, rules)

    monkeypatch.setattr(years, "candidates", counted)
    return compared


def _while_scoring(monkeypatch) -> list:
    """A list that is not empty while scoring matches models to this year's registrations
    (link_models), which keeps nothing between runs."""
    matching: list[bool] = []
    match = scoring.link_models

    def matched(*args, **kwargs):
        matching.append(True)
        try:
            return match(*args, **kwargs)
        finally:
            matching.pop()

    monkeypatch.setattr(scoring, "link_models", matched)
    return matching


def test_a_rerun_compares_no_name_again_and_links_as_before(with_history, monkeypatch):
    office, cache = with_history
    first = office.consolidate().result
    years._MEMO.clear()  # as a new process starts: only what the cache kept
    compared = _counting_comparisons(monkeypatch)
    again = office.consolidate().result
    assert not compared
    assert _linked(again) == _linked(first)
    assert (cache / f"{LINKS_ENTRY}.pickle").is_file()


def test_changed_linking_rules_compare_every_name_again(with_history, monkeypatch):
    office, _ = with_history
    office.consolidate()
    strict = LinkRules(link_at=99.0, review_at=90.0, words_added_score=96.0)
    office.config = dataclasses.replace(office.config, link_rules=strict)
    compared = _counting_comparisons(monkeypatch)
    warm = office.consolidate().result
    assert compared
    years._MEMO.clear()
    (office.workspace.root / ".dvk_bo_dem" / f"{LINKS_ENTRY}.pickle").unlink()
    cold = office.consolidate().result
    assert _linked(warm) == _linked(cold)


def test_a_unit_whose_earlier_names_changed_is_linked_again():
    rows = pd.DataFrame(
        {"unit": ["u"], "name": ["Tuyến đường hoa xóm"], "status": ["DUY_TRI"], "_file": ["a"]}
    )

    def linked_to(earlier: list[tuple[str, int]]):
        known = dataclasses.replace(
            History.empty(2026),
            earlier=pd.DataFrame(
                [(i, 2025, "u", name, "", "DUY_TRI", "registrations") for name, i in earlier],
                columns=["model_id", "year", "unit", "name", "field", "status", "kind"],
            ),
            years=(2025,),
        )
        return years.link_years(rows, known).loc[0, "candidate_id"]

    assert linked_to([("Tuyến đường hoa", 1)]) == 1
    assert linked_to([("Tuyến đường hoa", 2)]) == 2  # the unit's earlier model renumbered
    assert linked_to([("Tuyến đường hoa", 2), ("Chợ đêm", 3)]) == 2
    assert linked_to([]) is None


def test_this_years_ids_are_put_into_kept_outcomes():
    rows = pd.DataFrame({"unit": ["u"], "name": ["Chợ đêm"], "status": ["MOI"], "_file": ["a"]})
    first = dataclasses.replace(History.empty(2026), years=(2025,))
    again = dataclasses.replace(
        first, this_year=pd.DataFrame({"model_id": [7], "unit": ["u"], "name": ["Chợ đêm"]})
    )
    assert years.link_years(rows, first).loc[0, "model_id"] is None
    assert years.link_years(rows, again).loc[0, "model_id"] == 7  # the same outcome, kept


def test_a_broken_links_entry_is_compared_again(with_history, monkeypatch):
    office, cache = with_history
    first = office.consolidate().result
    (cache / f"{LINKS_ENTRY}.pickle").write_bytes(b"not a pickle")
    years._MEMO.clear()
    compared = _counting_comparisons(monkeypatch)
    assert _linked(office.consolidate().result) == _linked(first)
    assert compared


def test_a_few_new_names_do_not_rewrite_the_names_entry(tmp_path):
    normalize._KEYS.clear()
    for i in range(500):
        normalize.model_key(f"Mô hình số {i}")
    ReadCache(tmp_path, "rules").save_names()
    entry = tmp_path / f"{NAMES_ENTRY}.pickle"
    kept = entry.read_bytes()
    normalize._KEYS.clear()
    again = ReadCache(tmp_path, "rules")
    again.load_names()
    normalize.model_key("Mô hình của một tệp đến muộn")
    again.save_names()
    assert entry.read_bytes() == kept  # one name more: not worth writing 500 again
    for i in range(200):
        normalize.model_key(f"Mô hình khác {i}")
    again.save_names()
    assert entry.read_bytes() != kept
    assert len(pickle.loads(entry.read_bytes())[1]) == 701


@pytest.mark.parametrize(
    ("start", "code"),
    [("link", cache_module._LINK_CODE), ("checking.py", cache_module._CHECK_CODE)],
)
def test_a_memo_is_kept_for_the_source_of_all_that_its_stage_imports(start, code):
    """A new filler word in vocab.py changes how names compare, a new column in forms.py how
    rows are checked: the kept links, or the kept checks, must go."""
    package = Path(cache_module.__file__).parent.parent
    covered = set()
    for part in code:
        path = package / part
        covered |= set(path.glob("*.py")) if path.is_dir() else {path}
    first = package / start
    todo, seen = sorted(first.glob("*.py")) if first.is_dir() else [first], set()
    while todo:
        source = todo.pop()
        if source in seen:
            continue
        seen.add(source)
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                found = package.joinpath(*name.split(".")[1:]).with_suffix(".py")
                if name.startswith("pipeline.") and found.is_file():
                    todo.append(found)
    assert seen <= covered, sorted(p.name for p in seen - covered)


def _rows_checked(monkeypatch) -> list[int]:
    """How many rows each normalize_rows call of pipeline.checking is given, from now on."""
    seen: list[int] = []
    work = checking.normalize_rows

    def counted(raw, *args):
        seen.append(len(raw))
        return work(raw, *args)

    monkeypatch.setattr(checking, "normalize_rows", counted)
    return seen


def test_a_rerun_checks_no_row_again_and_finds_what_it_found(cached, monkeypatch):
    ws, cache, _ = cached
    first = run(ws, cache)
    seen = _rows_checked(monkeypatch)
    again = run(ws, cache)
    assert seen == [0, 0]  # both sheets: every file's rows as they were
    pd.testing.assert_frame_equal(again.registrations, first.registrations)
    pd.testing.assert_frame_equal(again.results, first.results)
    assert again.issues == first.issues


@pytest.mark.parametrize("change", ["year", "code", "broken"])
def test_the_kept_checks_go_with_another_year_other_code_or_a_broken_entry(
    cached, monkeypatch, change
):
    ws, cache, _ = cached
    (cache / f"{CHECKED_ENTRY}.pickle").unlink()
    every_row = _rows_checked(monkeypatch)
    first = run(ws, cache)  # checks every row, and keeps them
    every_row = list(every_row)
    assert all(every_row)
    if change == "year":
        real = cache_module._check_code
        monkeypatch.setattr(cache_module, "_check_code", lambda year: real(year + 1))
    elif change == "code":
        monkeypatch.setattr(cache_module, "_CHECK_CODE", (*cache_module._CHECK_CODE, "office.py"))
    else:
        (cache / f"{CHECKED_ENTRY}.pickle").write_bytes(b"not a pickle")
    seen = _rows_checked(monkeypatch)
    again = run(ws, cache)
    assert seen == every_row
    assert again.issues == first.issues


def test_a_rerun_loads_the_bytes_of_returned_workbooks_only(cached, monkeypatch):
    """The readings come back without their workbooks' bytes: those of a workbook sent back
    are loaded, and are the bytes in the inbox; the others are never read."""
    ws, cache, _ = cached
    first = run(ws, cache)
    assert first.returned  # the sample has forms to send back
    loaded = []
    real = KeptBytes.load
    monkeypatch.setattr(KeptBytes, "load", lambda self: loaded.append(self.name) or real(self))
    again = run(ws, cache)
    assert sorted(loaded) == sorted(first.returned)
    assert again.returned == first.returned


def test_damaged_kept_bytes_are_read_again_from_the_file(cached):
    """A bytes entry gone or damaged gives the workbook read again: no return is lost."""
    ws, cache, _ = cached
    first = run(ws, cache)
    for i, entry in enumerate(kept_bytes(cache)):  # each one of three ways, in turn
        if i % 3 == 0:
            entry.write_bytes(b"not a pickle")
        elif i % 3 == 1:
            entry.unlink()
        else:  # the right pickle, of other bytes: refused by the SHA-256
            names = pickle.loads(entry.read_bytes())
            entry.write_bytes(pickle.dumps({name: b"PK other bytes" for name in names}))
    again = run(ws, cache)
    assert again.read_from_cache == len(readings(cache))
    assert again.returned == first.returned


def test_a_few_new_units_do_not_rewrite_the_links_entry(tmp_path):
    def link(keys) -> None:  # as link_years does for each unit block: decided, and used
        for key in keys:
            years._MEMO.setdefault(key, ("outcome", key))
            years._USED.add(key)

    years.add_kept_outcomes(DEFAULT_RULES, {})
    years._MEMO.clear()
    link(range(500))
    ReadCache(tmp_path, "rules").save_links()
    entry = tmp_path / f"{LINKS_ENTRY}.pickle"
    kept = entry.read_bytes()
    years._MEMO.clear()
    again = ReadCache(tmp_path, "rules")
    again.load_links()
    link(range(501))  # a late file's one unit more
    again.save_links()
    assert entry.read_bytes() == kept  # not worth writing 500 again
    link(range(501, 700))
    again.save_links()
    assert entry.read_bytes() != kept
    assert len(pickle.loads(entry.read_bytes())[2]) == 700


def test_a_rerun_knows_each_files_rows_without_hashing_them(cached, monkeypatch):
    """Each kept reading carries its sheets' rows_key, worked out when it was kept."""
    ws, cache, n = cached
    hashed = []
    work = records.rows_key
    monkeypatch.setattr(records, "rows_key", lambda rows: hashed.append(rows) or work(rows))
    again = run(ws, cache)
    assert again.read_from_cache == n and not hashed
    monkeypatch.undo()
    for path in readings(cache):
        for reading in pickle.loads(path.read_bytes()).reads.values():
            assert reading.rows_keys == {s: work(r) for s, r in reading.rows.items() if r}


def test_a_first_run_sends_back_the_bytes_its_readers_kept(sample_workspace, tmp_path, monkeypatch):
    """Each reader process keeps the bytes of the workbooks it reads in the cache, so that the
    main process receives none of them: a first run loads those of the workbooks it sends back
    from there, and they are the bytes a run without a cache sends back."""
    loaded = []
    real = KeptBytes.load
    monkeypatch.setattr(KeptBytes, "load", lambda self: loaded.append(self.name) or real(self))
    first = run(sample_workspace, tmp_path / "cache")
    assert first.returned
    assert sorted(loaded) == sorted(first.returned)
    assert first.returned == run(sample_workspace, None).returned


def test_a_cache_that_cannot_be_written_loses_no_return(sample_workspace, tmp_path):
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache's folder would be")
    unkept = run(sample_workspace, blocked)
    plain = run(sample_workspace, None)
    assert unkept.returned and unkept.returned == plain.returned
    assert unkept.issues == plain.issues


def _aged(inbox: Path) -> None:
    """Every inbox file last changed an hour ago: old enough for its digest to be kept."""
    for path in find_inbox_files(inbox):
        stamp = path.stat().st_mtime - 3600
        os.utime(path, (stamp, stamp))


def _hashed(monkeypatch) -> list[str]:
    names: list[str] = []
    real = arrivals._sha256_file

    def counting(path):
        names.append(path.name)
        return real(path)

    monkeypatch.setattr(arrivals, "_sha256_file", counting)
    return names


def test_a_rerun_hashes_only_the_files_changed_since(sample_workspace, tmp_path, monkeypatch):
    ws, cache, archive = sample_workspace, tmp_path / "cache", tmp_path / "luu_tru"
    _aged(ws / "inbox")
    first = consolidate(ws / "inbox", 2026, cache=cache, archive_to=archive)
    hashed = _hashed(monkeypatch)
    again = consolidate(ws / "inbox", 2026, cache=cache, archive_to=archive)
    assert hashed == []
    assert again.read_from_cache == len(find_inbox_files(ws / "inbox"))
    assert outputs_of(again) == outputs_of(first)
    # Changed (a new inode, as Excel saves), and given back its old size and time: hashed and
    # read anew, and archived as it is now.
    path = ws / "inbox" / "chi_bo_xom_bac_son.xlsx"
    before = path.stat()
    book = load_workbook(path)
    book[forms.REGISTRATION.name].cell(forms.REGISTRATION.first_data_row, 2).value = "Đổi"
    book.save(tmp_path / "moi.xlsx")
    os.replace(tmp_path / "moi.xlsx", path)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    changed = consolidate(ws / "inbox", 2026, cache=cache, archive_to=archive)
    assert hashed == [path.name]
    assert "Đổi" in set(changed.registrations["name"])
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert (archive / digest / path.name).read_bytes() == path.read_bytes()


def test_a_file_changed_just_before_the_run_is_hashed_again_next_time(
    sample_workspace, tmp_path, monkeypatch
):
    """A clock may tick once in two seconds (FAT): a file changed within them could change
    again and keep its time. Its digest is not trusted by the next run."""
    ws, cache = sample_workspace, tmp_path / "cache"
    _aged(ws / "inbox")
    fresh = ws / "inbox" / "chi_bo_xom_bac_son.xlsx"
    os.utime(fresh)  # now
    consolidate(ws / "inbox", 2026, cache=cache)
    hashed = _hashed(monkeypatch)
    monkeypatch.setattr(isolated, "_sha256", arrivals._sha256_file)  # counted as well
    consolidate(ws / "inbox", 2026, cache=cache)
    assert hashed == [fresh.name]


def outputs_of(result) -> list:
    return sorted(result.registrations["name"]) + sorted(result.results["name"])


def test_a_digest_kept_wrongly_is_found_out_when_the_file_is_archived(tmp_path):
    """A file rewritten in place with its old size and time kept (as no editor does) is not
    archived under its old digest: the copy is hashed as it is written."""
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"now")
    old = hashlib.sha256(b"before").hexdigest()
    digest = arrivals.archive_one(path, tmp_path / "luu_tru", known=old)
    assert digest == hashlib.sha256(b"now").hexdigest()
    assert (tmp_path / "luu_tru" / digest / "a.xlsx").read_bytes() == b"now"
    assert not (tmp_path / "luu_tru" / old).exists()


def test_a_rerun_takes_its_readings_from_one_entry_and_reads_as_before(cached, monkeypatch):
    """After a re-run has put the readings' bytes in one entry, the next opens no reading's
    own entry, and finds what a cold run finds; a broken bundle only sends it back to them."""
    ws, cache, n = cached
    cold = run(ws, cache)
    monkeypatch.setattr(cache_module, "_worth_writing", lambda kept, added: added > 0)
    run(ws, cache)  # every reading from its own entry: the bundle is written
    assert (cache / f"{BUNDLE_ENTRY}.pickle").is_file()
    opened = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda p: opened.append(p) or real(p))
    warm = run(ws, cache)
    assert warm.read_from_cache == n and not [p for p in opened if p.parent == cache]
    assert outputs_of(warm) == outputs_of(cold)
    assert warm.registrations.equals(cold.registrations)
    (cache / f"{BUNDLE_ENTRY}.pickle").write_bytes(b"broken")
    opened.clear()
    again = run(ws, cache)
    assert again.read_from_cache == n and len([p for p in opened if p.parent == cache]) == n
    assert again.registrations.equals(cold.registrations)
