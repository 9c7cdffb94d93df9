"""Writes the bad data-file cases of this folder (run from the repository root:
``python tests/bad_inputs/data/make_cases.py``).

The UN cases hold a small valid set of UN long tables, 1950 only, cut from
validation_cases/un_canada_1950_2020/data, with one file broken per case
(the broken one as plain CSV, so it can be read; the others gzipped).
"""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent
CANADA = ROOT / "validation_cases" / "un_canada_1950_2020" / "data" / "inputs"
STEMS = ["pop_count_age_sex_base", "life_table_age_sex", "fert_rate_age_f", "srb",
         "mig_net_count_age_sex", "mig_parameter"]
UN_YAML = ('case: {name: bad_data, base_year: 1950, horizon: 5}\n'
           'demography: {un_tables: data, beyond_data: hold_flat}\n')


def _lines(stem: str, years=(1950,)) -> list[str]:
    lines = gzip.decompress((CANADA / f"{stem}.csv.gz").read_bytes()).decode().splitlines()
    col = lines[0].split(",").index("time_start")
    keep = [lines[0]] + [ln for ln in lines[1:] if int(ln.split(",")[col]) in years]
    if stem == "life_table_age_sex":
        keep = [keep[0]] + [ln for ln in keep[1:] if ln.startswith("lt_nMx,")]
    return keep


def un_case(name: str, words: list[str], broken: str, content, years=(1950,)) -> None:
    """A UN case: ``content`` (lines -> text or bytes, or a symlink target
    given as ``Path``) replaces table ``broken``."""
    folder = HERE / name
    shutil.rmtree(folder, ignore_errors=True)
    inputs = folder / "data" / "inputs"
    inputs.mkdir(parents=True)
    for stem in STEMS:
        if stem != broken:
            text = "\n".join(_lines(stem, years)) + "\n"
            (inputs / f"{stem}.csv.gz").write_bytes(gzip.compress(text.encode(), mtime=0))
    target = inputs / f"{broken}.csv"
    if isinstance(content, Path):
        os.symlink(content, target)
    else:
        data = content(_lines(broken, years))
        if isinstance(data, tuple):  # (file name, bytes)
            target = inputs / data[0]
            target.parent.mkdir(exist_ok=True)
            data = data[1]
        target.write_bytes(data if isinstance(data, bytes) else data.encode())
    (folder / "input.yaml").write_text(UN_YAML)
    (folder / "expect.txt").write_text("\n".join(words) + "\n")


def _cell(lines, row: int, column: str, value: str) -> str:
    """The lines with the cell (file row ``row``, header = 1) replaced."""
    header = lines[0].split(",")
    cells = lines[row - 1].split(",")
    cells[header.index(column)] = value
    return "\n".join(lines[:row - 1] + [",".join(cells)] + lines[row:]) + "\n"


def _grouped(lines, width: int = 5) -> list[str]:
    """Single-age lines (ages 0..100, 100 = 100+) summed into ``width``-year groups and the open
    group 100+ (age_span 1000), in the order of the first age of each group."""
    header = lines[0].split(",")
    age, span, value = header.index("age_start"), header.index("age_span"), header.index("value")
    out, sums = [lines[0]], {}
    for ln in lines[1:]:
        cells = ln.split(",")
        start = min(int(cells[age]) // width * width, 100)
        cells[age], cells[span] = str(start), str(1000 if start == 100 else width)
        key = ",".join(cells[:value])
        sums[key] = sums.get(key, 0.0) + float(cells[value])
    return out + [f"{k},{v!r}" for k, v in sums.items()]


def other_case(name: str, words, files: dict, yaml: str, command: str | None = None) -> None:
    folder = HERE / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for file, content in files.items():
        if isinstance(content, Path):
            os.symlink(content, folder / file)
        else:
            (folder / file).write_bytes(content if isinstance(content, bytes) else content.encode())
    (folder / "input.yaml").write_text(yaml)
    (folder / "expect.txt").write_text("\n".join(words) + "\n")
    if command:
        (folder / "command.txt").write_text(command + "\n")


def main() -> None:
    join = lambda lines: "\n".join(lines) + "\n"  # noqa: E731
    un_case("un_text_in_numeric", ["pop_count_age_sex_base.csv", "value (row 5)", "population count", "'many'"],
            "pop_count_age_sex_base", lambda ls: _cell(ls, 5, "value", "many"))
    un_case("un_duplicate_row", ["pop_count_age_sex_base.csv", "sex, age_start (row 204)",
                                 "appears again"],
            "pop_count_age_sex_base", lambda ls: join(ls + [ls[1]]))
    un_case("un_missing_year", ["life_table_age_sex.csv", "time_start", "every year", "no row for 1951"],
            "life_table_age_sex", lambda ls: join([ln for ln in ls if ",1951," not in ln]), years=(1950, 1951, 1952))
    un_case("un_fertility_missing_year", ["fert_rate_age_f.csv", "no row for time_start=1951"],
            "fert_rate_age_f", lambda ls: join([ln for ln in ls if not ln.startswith("1951,")]), years=(1950, 1951))
    un_case("un_missing_age", ["pop_count_age_sex_base.csv", "no row for sex=female, age_start=57"],
            "pop_count_age_sex_base", lambda ls: join([ln for ln in ls if not ln.startswith("1950,0,female,57,")]))
    un_case("un_negative_srb", ["srb.csv", "value (row 2)", "sex ratio at birth", ">= 0.8"],
            "srb", lambda ls: _cell(ls, 2, "value", "-1.058"))
    un_case("un_srb_in_percent", ["srb.csv", "sex ratio at birth", "<= 1.3", "105.8"],
            "srb", lambda ls: _cell(ls, 2, "value", "105.8"))
    un_case("un_mx_above_max", ["life_table_age_sex.csv", "value (row 4)", "central death rate", "<= 2"],
            "life_table_age_sex", lambda ls: _cell(ls, 4, "value", "2.5"))
    un_case("un_negative_fertility", ["fert_rate_age_f.csv", "value (row 30)", "fertility rate", ">= 0"],
            "fert_rate_age_f", lambda ls: _cell(ls, 30, "value", "-0.1"))
    un_case("un_fertility_above_one", ["fert_rate_age_f.csv", "fertility rate", "<= 1"],
            "fert_rate_age_f", lambda ls: _cell(ls, 30, "value", "25"))
    un_case("un_infinite_migration", ["mig_net_count_age_sex.csv", "value (row 7)", "finite"],
            "mig_net_count_age_sex", lambda ls: _cell(ls, 7, "value", "inf"))
    un_case("un_unknown_sex", ["mig_net_count_age_sex.csv", "sex (row 3)", "female, male or both", "'mle'"],
            "mig_net_count_age_sex", lambda ls: _cell(ls, 3, "sex", "mle"))
    un_case("un_age_not_whole", ["pop_count_age_sex_base.csv", "age_start (row 4)", "single age"],
            "pop_count_age_sex_base", lambda ls: _cell(ls, 4, "age_start", "2.5"))
    un_case("un_missing_column", ["srb.csv", "missing value"],
            "srb", lambda ls: join([ln.rsplit(",", 1)[0] for ln in ls]))
    un_case("un_ragged_row", ["mig_net_count_age_sex.csv", "not a readable CSV"],
            "mig_net_count_age_sex", lambda ls: join(ls[:5] + [ls[5] + ",1,2"] + ls[6:]))
    un_case("un_empty_file", ["srb.csv", "empty"], "srb", lambda ls: "")
    un_case("un_header_only", ["srb.csv", "there are none"], "srb", lambda ls: ls[0] + "\n")
    un_case("un_truncated_gzip", ["pop_count_age_sex_base.csv.gz", "corrupt or truncated"],
            "pop_count_age_sex_base",
            lambda ls: ("pop_count_age_sex_base.csv.gz", gzip.compress(join(ls).encode(), mtime=0)[:-40]))
    un_case("un_corrupt_gzip", ["life_table_age_sex.csv.gz", "corrupt or truncated"], "life_table_age_sex",
            lambda ls: ("life_table_age_sex.csv.gz", b"\x1f\x8b\x08\x00" + bytes(range(7, 200))))
    un_case("un_not_gzip", ["srb.csv.gz", "not gzip"], "srb", lambda ls: ("srb.csv.gz", join(ls).encode()))
    un_case("un_spreadsheet", ["fert_rate_age_f.csv", "UTF-8 CSV text"], "fert_rate_age_f",
            lambda ls: b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb2\xa4\xe8\x93xl/workbook.xml")
    un_case("un_binary", ["srb.csv", "NUL"], "srb", lambda ls: b"\x00\x01\x02binary\x00")
    un_case("un_dev_zero", ["srb.csv", "regular file"], "srb", Path("/dev/zero"))
    un_case("un_folder", ["srb.csv", "regular file"], "srb",
            lambda ls: ("srb.csv/.keep", b""))

    grouped = lambda ls: _grouped(ls)  # noqa: E731
    un_case("un_grouped_overlap", ["pop_count_age_sex_base.csv", "age_start (row 4)", "overlaps 5-9",
                                   "expected the next group to start at age 10"],
            "pop_count_age_sex_base", lambda ls: _cell(grouped(ls), 4, "age_start", "8"))
    un_case("un_grouped_gap", ["pop_count_age_sex_base.csv", "age_start (row 4)", "ages 10-14", "in no group",
                               "expected the next group to start at age 10"],
            "pop_count_age_sex_base", lambda ls: join(grouped(ls)[:3] + grouped(ls)[4:]))
    un_case("un_grouped_not_open", ["pop_count_age_sex_base.csv", "age_span (row 22)", "open", "100-104"],
            "pop_count_age_sex_base", lambda ls: _cell(grouped(ls), 22, "age_span", "5"))
    un_case("un_grouped_migration_pclm", ["mig_net_count_age_sex.csv", "value (row 2)", "cannot be graduated",
                                          "sprague or beers"],
            "mig_net_count_age_sex", lambda ls: join(grouped(ls)))

    insured = "sex,age,credits,status,count\nfemale,40,10,active,1000\nmale,45,20,active,2000\n"
    yaml = ('extends: "{root}/assumptions/demoland.yaml"\ncase: {horizon: 10}\n'
            'pension: {horizons: [10], initial: {insured_file: insured.csv}}\n')
    other_case("insured_duplicate_group", ["insured.csv", "status, sex, age, credits (row 4)", "appears again"],
               {"insured.csv": insured + "male,45,20,active,500\n"}, yaml)
    other_case("insured_text_count", ["insured.csv", "count (row 3)", "number of persons", "'2k'"],
               {"insured.csv": insured.replace("2000", "2k")}, yaml)
    other_case("insured_dev_zero", ["insured.csv", "regular file"], {"insured.csv": Path("/dev/zero")}, yaml)
    other_case("insured_empty", ["insured.csv", "empty"], {"insured.csv": ""}, yaml)
    other_case("insured_missing_column", ["insured.csv", "missing status"],
               {"insured.csv": "sex,age,credits,count\nfemale,40,10,1000\n"}, yaml)

    costs = (ROOT / "assumptions" / "fiscal_space_example_costs.csv").read_text().splitlines()
    yaml = ('extends: "{root}/assumptions/fiscal_space_example.yaml"\n'
            'fiscal_space: {costs: {file: costs.csv}}\n')
    command = "fiscal {dir}/input.yaml -o {out}"
    other_case("costs_duplicate_year", ["costs.csv", "fiscal_space.costs.file", "year (row 4)", "appears again"],
               {"costs.csv": join(costs[:3] + [costs[2]] + costs[3:])}, yaml, command)
    other_case("costs_text_cell", ["costs.csv", "fiscal_space.costs.file", "spf (row 3)", "expected a number"],
               {"costs.csv": join(costs[:2] + ["2026,n/a," + costs[2].split(",", 2)[2]] + costs[3:])},
               yaml, command)
    other_case("costs_dev_zero", ["costs.csv", "regular file"], {"costs.csv": Path("/dev/zero")}, yaml, command)
    other_case("costs_missing_year", ["costs.csv", "no value for 1 year(s)", "2030"],
               {"costs.csv": join([ln for ln in costs if not ln.startswith("2030,")])}, yaml, command)


if __name__ == "__main__":
    main()
