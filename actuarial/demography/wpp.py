"""Reader of the UN World Population Prospects 2024 standard-projection CSV files.

The files are those of the UN's download page "Standard Projections, CSV
format" (https://population.un.org/wpp/downloads?folder=Standard%20Projections&group=CSV%20format,
base address ``https://population.un.org/wpp/assets/Excel%20Files/1_Indicator%20(Standard)/CSV_FILES/``),
as downloaded: plain ``.csv``, ``.csv.gz`` or ``.zip`` (one CSV inside), in
one folder. The reader takes every file of each group below (a group may be
split by period, sex or variant, e.g. ``_Medium_1950-2023`` and
``_Medium_2024-2100``, ``_OtherVariants``):

==============  ==========================================================  =========================================
table           files (``*`` any text)                                      columns read
==============  ==========================================================  =========================================
population      ``WPP2024_Population1JanuaryBySingleAgeSex_*``              ``PopFemale, PopMale`` (thousands, 1 January)
life table      ``WPP2024_Life_Table_Complete_*_Female_*``, ``..._Male_*``  ``Sex, mx, qx, px, lx, dx, Lx, Sx, Tx, ex, ax``
                (the ``_Both_`` files only when no sex-specific file)
fertility       ``WPP2024_Fertility_by_Age1*``                              ``ASFR`` (births per 1,000 women)
indicators      ``WPP2024_Demographic_Indicators_*`` (not ``_notes``)       ``SRB`` (males per 100 female births),
                                                                            ``NetMigrations``, ``Births`` (thousands)
==============  ==========================================================  =========================================

and in every file the keys ``LocID, ISO3_code, Location, Variant, Time`` and,
by age, ``AgeGrpStart, AgeGrpSpan`` (single ages; the open group 100+ has
``AgeGrpStart = 100``). The layout (column names, units, single ages 0..100+
with the open group at 100, estimates 1950-2023 and projections 2024-2100,
variants named in ``Variant``) is that of the UN's files and of its
definitions of the indicators (``WPP2024_Demographic_Indicators_notes.csv``
on the same page; the indicators' header is, e.g., ``SortOrder, LocID,
Notes, ISO3_code, ISO2_code, SDMX_code, LocTypeID, LocTypeName, ParentID,
Location, VarID, Variant, Time, TPopulation1Jan, ..., SRB, ..., NetMigrations,
CNMR``). Other columns are not read.

Conventions (each stated in the result's ``sources``):

- a variant other than Medium holds projections only: the years before its
  first year (the estimates, common to all variants) come from the Medium
  rows;
- the UN distributes complete life tables for the Medium variant only: a
  variant that the UN projects with medium mortality (:data:`MEDIUM_MORTALITY`)
  takes the Medium life tables when the files hold none of its own; any other
  variant without its own life tables is an error;
- units: persons (not thousands), rates per person-year, ASFR per woman,
  SRB per female birth (``SRB / 100``).

Only the rows of the country are kept, reading each file in chunks of
:data:`CHUNK_ROWS` rows (the full files are hundreds of MB). Every bad
input is one :class:`~actuarial.errors.AssumptionError` naming the file, the
column, the file row (1-based, header = row 1) and what was expected (the
conventions of :mod:`actuarial.datafiles`): a country or variant missing, a
year outside the files, a file of another revision or layout, missing ages.
"""

from __future__ import annotations

import difflib
import os
import stat
import unicodedata
import zipfile
import zlib
from pathlib import Path

import numpy as np

from actuarial.datafiles import check_range, data_error, to_array
from actuarial.errors import AssumptionError, kind

REVISION = "WPP2024"
SEXES = ["female", "male"]
AGES = range(101)
CHUNK_ROWS = 200_000
KEYS = ["LocID", "ISO3_code", "Location", "Variant", "Time"]
AGE_KEYS = ["AgeGrpStart", "AgeGrpSpan"]
LIFE_TABLE = ["mx", "qx", "px", "lx", "dx", "Lx", "Sx", "Tx", "ex", "ax"]
GROUPS = {
    "population": ("Population1JanuaryBySingleAgeSex_", AGE_KEYS + ["PopFemale", "PopMale"]),
    "life_table": ("Life_Table_Complete_", AGE_KEYS + ["Sex"] + LIFE_TABLE),
    "fertility": ("Fertility_by_Age1", AGE_KEYS + ["ASFR"]),
    "indicators": ("Demographic_Indicators_", ["SRB", "NetMigrations", "Births"]),
}
MEDIUM_MORTALITY = ("Medium", "High", "Low", "Constant fertility", "Instant replacement", "Zero migration",
                    "Momentum", "Instant replacement zero migration", "No fertility below age 18",
                    "Accelerated ABR decline", "Accelerated ABR decline with rec")
"""Variants the UN projects with the medium variant's mortality (WPP 2024,
"Definition of projection scenarios"); only these may take the Medium life
tables when the files hold none of their own."""
PAST = ("Estimates",)
"""A ``Variant`` label some files give the estimates (taken with any variant
for the years before its own rows)."""
SRB_RANGE = (80.0, 130.0)
"""Sex ratio at birth accepted, males per 100 female births."""
MX_MAX = 2.0
"""Largest single-age m_x accepted (as :data:`actuarial.demography.un_tables.MX_MAX`)."""
ASFR_MAX = 1000.0
"""Largest ASFR accepted, births per 1,000 women in a year."""


# -- files ---------------------------------------------------------------------

def _is_table(path: Path) -> bool:
    return path.name.endswith((".csv", ".csv.gz", ".zip")) and "_notes" not in path.name


def find_files(folder, group: str) -> list[Path]:
    """The files of ``group`` (a key of :data:`GROUPS`) in ``folder``, sorted.

    A folder with files of another revision only (e.g. ``WPP2022_...``) is
    an error naming that revision."""
    folder = Path(folder)
    if not folder.is_dir():
        raise AssumptionError(folder.absolute(), "wpp", "expected a folder holding the WPP 2024 CSV files")
    part = GROUPS[group][0]
    files = sorted(p for p in folder.glob(f"{REVISION}_{part}*") if _is_table(p))
    if group == "life_table":
        by_sex = [p for p in files if "_Female_" in p.name or "_Male_" in p.name]
        files = by_sex or [p for p in files if "_Both_" in p.name] or files
    if files:
        return [p.absolute() for p in files]
    others = sorted(p.name for p in folder.glob(f"WPP*_{part}*") if _is_table(p))
    if others:
        raise AssumptionError(others and (folder / others[0]).absolute(), "wpp",
                              f"a file of another WPP revision ({others[0].split('_')[0]}); expected the "
                              f"{REVISION} files {REVISION}_{part}*.csv[.gz|.zip]")
    raise AssumptionError(folder.absolute(), "wpp", f"no {group.replace('_', ' ')} file: expected "
                                                    f"{REVISION}_{part}*.csv, .csv.gz or .zip as the UN distributes them")


def _compression(path: Path) -> str | None:
    """``gzip``, ``zip`` or None (plain), from the magic bytes; the file must be regular."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise data_error(path, "", None, "expected a regular file (not a folder, device, FIFO or socket)")
        with open(path, "rb") as f:
            magic = f.read(4)
    except OSError as exc:
        raise data_error(path, "", None, f"cannot read the file ({exc.strerror or exc})") from None
    if magic[:2] == b"\x1f\x8b":
        return "gzip"
    if magic == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(path) as z:
                names = [n for n in z.namelist() if not n.endswith("/")]
        except zipfile.BadZipFile as exc:
            raise data_error(path, "", None, f"expected a zip file holding one CSV; it is corrupt ({exc})") from None
        if len(names) != 1:
            raise data_error(path, "", None, f"expected a zip file holding one CSV; it holds {len(names)} files")
        return "zip"
    if path.name.endswith((".gz", ".zip")):
        raise data_error(path, "", None, f"expected a {path.suffix[1:]} file (by its name); it is not one")
    return None


def _chunks(path: Path, columns: list[str]):
    """The file in chunks of the ``columns`` (checked in the header), indexed by file row."""
    import pandas as pd

    _header(path, columns)  # the layout checked first: one clear error for another revision
    options = dict(compression=_compression(path), encoding="utf-8-sig", keep_default_na=False, na_values=[""])
    dtypes = {"ISO3_code": str, "Location": str, "Variant": str, "Sex": str}
    try:
        reader = pd.read_csv(path, usecols=columns, chunksize=CHUNK_ROWS,
                             dtype={c: t for c, t in dtypes.items() if c in columns}, **options)
        for chunk in reader:
            chunk.index = chunk.index + 2
            yield chunk
    except (ValueError, OSError, EOFError, zlib.error, pd.errors.ParserError) as exc:
        raise data_error(path, "", None, f"not a readable CSV file ({' '.join(str(exc).split())})") from None


# -- country -------------------------------------------------------------------

def _locations(path: Path):
    """Every (LocID, ISO3_code, Location) of a file."""
    import pandas as pd

    seen = [c[["LocID", "ISO3_code", "Location"]].drop_duplicates() for c in _chunks(path, KEYS[:3])]
    table = pd.concat(seen).drop_duplicates("LocID")
    return table


def find_country(folder, country) -> dict:
    """The location named by ``country``: a LocID (number), an ISO3 code or
    a name (case-insensitive), looked up in the demographic indicators file
    (the smallest); names are compared without case or accents. Returns
    ``{"LocID", "ISO3_code", "Location"}``; an unknown name is an error
    listing the closest names."""
    path = find_files(folder, "indicators")[0]
    table = _locations(path)
    text = str(country).strip()
    if text.isdigit():
        hit = table[table["LocID"] == int(text)]
    elif len(text) == 3 and text.isalpha():
        hit = table[table["ISO3_code"].fillna("").str.upper() == text.upper()]
    else:
        hit = table[table["Location"].map(_plain) == _plain(text)]
    if len(hit) == 1:
        row = hit.iloc[0]
        return {"LocID": int(row["LocID"]), "ISO3_code": str(row["ISO3_code"]), "Location": str(row["Location"])}
    names = {_plain(n): n for n in table["Location"]}
    codes = {str(c).upper(): n for c, n in zip(table["ISO3_code"], table["Location"]) if isinstance(c, str)}
    close = difflib.get_close_matches(_plain(text), list(names), n=5, cutoff=0.5)
    close = [names[c] for c in close]
    if text.upper() in codes or not close:
        close += [codes[c] for c in difflib.get_close_matches(text.upper(), list(codes), n=3, cutoff=0.6)]
    hint = f"; closest: {', '.join(dict.fromkeys(close))}" if close else ""
    raise data_error(path, "Location", None, f"no location {text!r} (by LocID, ISO3_code or Location) in the "
                                             f"file{hint}")


def _plain(name) -> str:
    """A name compared without case, accents or surrounding spaces ("Türkiye" = "turkiye")."""
    text = unicodedata.normalize("NFKD", str(name).strip().casefold())
    return "".join(c for c in text if not unicodedata.combining(c))


# -- tables --------------------------------------------------------------------

def _rows(files: list[Path], columns: list[str], locid: int):
    """The rows of LocID ``locid`` of every file, with their file and row."""
    import pandas as pd

    parts = []
    for path in files:
        for chunk in _location_chunks(path, KEYS + columns, locid):
            rows = chunk[chunk["LocID"] == locid]
            if len(rows):
                parts.append(rows.assign(_file=str(path), _row=rows.index))
    return pd.concat(parts, ignore_index=True) if parts else None


def _read_groups(found: dict, locid: int) -> dict:
    """group -> the rows of ``locid`` in its files (:func:`_rows`), the files
    read in parallel threads (decompression and the byte scan release the
    GIL); the first error, in file order, is raised."""
    from concurrent.futures import ThreadPoolExecutor

    jobs = [(group, path) for group, files in found.items() for path in files]
    workers = max(1, min(len(jobs), os.cpu_count() or 1, MAX_THREADS))
    with ThreadPoolExecutor(workers) as pool:
        futures = [pool.submit(_rows, [path], GROUPS[group][1], locid) for group, path in jobs]
        parts = [f.result() for f in futures]
    import pandas as pd

    out = {}
    for group in found:
        mine = [p for (g, _), p in zip(jobs, parts) if g == group and p is not None]
        out[group] = pd.concat(mine, ignore_index=True) if mine else None
    return out


MAX_THREADS = 8
"""Most files read at once."""


def _location_chunks(path: Path, columns: list[str], locid: int):
    """Chunks holding every row of LocID ``locid`` (and maybe others).

    In the UN's layout (``LocID`` first or after ``SortOrder`` only, fields
    that never hold a comma) the file's bytes are scanned for the LocID field
    and only the matching lines are parsed (:func:`_scan`: a full-size file
    in seconds); any other layout is read whole in chunks (:func:`_chunks`)."""
    header = _header(path, columns)
    k = header.index("LocID")
    if header[:k] in ([], ["SortOrder"]):
        yield from _scan(path, columns, locid, k)
    else:
        yield from _chunks(path, columns)


def _header(path: Path, columns: list[str]) -> list[str]:
    """The file's column names; the ``columns`` must be among them."""
    import pandas as pd

    options = dict(compression=_compression(path), encoding="utf-8-sig", keep_default_na=False, na_values=[""])
    try:
        header = list(pd.read_csv(path, nrows=0, **options).columns)
    except (ValueError, OSError, EOFError, zlib.error, pd.errors.ParserError) as exc:
        raise data_error(path, "", None, f"not a readable CSV file ({' '.join(str(exc).split())})") from None
    header = [str(h).strip() for h in header]
    missing = [c for c in columns if c not in header]
    if missing:
        raise data_error(path, "", 1, f"expected the {REVISION} layout with columns {', '.join(columns)}; "
                                      f"missing {', '.join(missing)} (a file of another layout or revision?)")
    return header


SCAN_BYTES = 1 << 25
"""Bytes of the (decompressed) file scanned at a time."""


def _open_bytes(path: Path):
    """The file's (decompressed) bytes as a binary stream."""
    import gzip

    compression = _compression(path)
    if compression == "gzip":
        try:  # ISA-L's gzip (package isal): the same bytes, about 2.5 times faster
            from isal import igzip
        except ImportError:  # pragma: no cover - isal is a dependency; plain gzip works the same
            return gzip.open(path, "rb")
        return igzip.open(path, "rb")
    if compression == "zip":
        archive = zipfile.ZipFile(path)
        stream = archive.open(next(n for n in archive.namelist() if not n.endswith("/")))
        stream._archive = archive  # closed with the stream's file object
        return stream
    return open(path, "rb")


def _scan(path: Path, columns: list[str], locid: int, k: int):
    """The lines whose field ``k`` (0 or 1) is ``locid``, parsed by pandas,
    indexed by file row (header = 1)."""
    import io

    import pandas as pd

    lines, rows = [], []
    loc = str(locid).encode()
    try:
        with _open_bytes(path) as f:
            head = f.readline()
            line_no, rest = 2, b""
            while True:  # each block scanned in place (no copy of it): the partial line at a cut apart
                block = f.read(SCAN_BYTES)
                if not block:
                    if rest:
                        line_no = _matches(rest if rest.endswith(b"\n") else rest + b"\n", loc, k, line_no,
                                           lines, rows)
                    break
                cut = block.rfind(b"\n") + 1
                if cut == 0:
                    rest += block
                    continue
                start = 0
                if rest:
                    start = block.find(b"\n") + 1
                    line_no = _matches(rest + block[:start], loc, k, line_no, lines, rows)
                line_no = _matches(block, loc, k, line_no, lines, rows, start, cut)
                rest = block[cut:]
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as exc:
        raise data_error(path, "", None, f"not a readable CSV file ({' '.join(str(exc).split())})") from None
    if not lines:
        return
    dtypes = {"ISO3_code": str, "Location": str, "Variant": str, "Sex": str}
    try:
        table = pd.read_csv(io.BytesIO(head + b"".join(lines)), usecols=columns, encoding="utf-8-sig",
                            keep_default_na=False, na_values=[""],
                            dtype={c: t for c, t in dtypes.items() if c in columns})
    except (ValueError, pd.errors.ParserError) as exc:
        raise data_error(path, "", None, f"not a readable CSV file ({' '.join(str(exc).split())})") from None
    table.index = rows
    yield table


def _matches(data: bytes, loc: bytes, k: int, line_no: int, lines: list, rows: list,
             start: int = 0, end: int | None = None) -> int:
    """Append to ``lines`` the lines of ``data[start:end]`` (whole lines, each
    ending in a newline; searched in place, no copy) whose field ``k`` (0 or 1)
    is ``loc``, and to ``rows`` their file rows (``line_no``: that of the line
    at ``start``); returns the row after ``end``."""
    end = len(data) if end is None else end
    needle = (b"\n" if k == 0 else b",") + loc + b","
    pos, at, no = start, start, line_no  # ``no``: the row of the line starting at ``at``
    if k == 0 and data.startswith(needle[1:], start, end):  # the first line has no newline before it
        stop = data.find(b"\n", start, end) + 1
        lines.append(data[start:stop])
        rows.append(no)
        pos = stop - 1
    while True:
        hit = data.find(needle, pos, end)
        if hit < 0:
            break
        if k == 0:
            first = hit + 1
        else:
            first = data.rfind(b"\n", start, hit) + 1 or start
            first = max(first, start)
        stop = data.find(b"\n", hit + 1, end) + 1
        if k == 0 or data.count(b",", first, hit) == k - 1:
            no += data.count(b"\n", at, first)
            at = first
            lines.append(data[first:stop])
            rows.append(no)
        pos = stop - 1 if k == 0 else stop
    return no + data.count(b"\n", at, end)


def _variant_rows(table, files, variant: str, what: str, fallback_ok: bool = False):
    """The rows of ``variant`` and, before its first year, the Medium rows.

    Returns ``(rows, note, name)``: ``note`` says where the years came
    from, ``name`` is the variant as the files spell it."""
    names = sorted(table["Variant"].dropna().unique())
    match = [v for v in names if v.casefold() == variant.casefold()]
    if not match:
        if fallback_ok and "Medium" in names:
            name = next(v for v in MEDIUM_MORTALITY if v.casefold() == variant.casefold())
            return table[table["Variant"] == "Medium"], f"{what}: Medium rows (the UN projects the {name} " \
                                                        "variant with medium mortality; the files hold no life " \
                                                        "tables of its own)", name
        raise AssumptionError(_shown(files), "Variant", f"no variant {variant!r} in the {what} of this location; "
                                                        f"the files hold {', '.join(names)}")
    own = table[table["Variant"] == match[0]]
    first = int(own["Time"].min())
    past = table[table["Variant"].isin(PAST if match[0] == "Medium" else PAST + ("Medium",)).to_numpy()
                 & (table["Time"] < first).to_numpy()]
    if match[0] == "Medium":
        return _concat(past, own), f"{what}: Medium rows", "Medium"
    note = f"{what}: {match[0]} rows from {first}" + (f", Medium rows (estimates) before {first}" if len(past) else "")
    return _concat(past, own), note, match[0]


def _concat(*tables):
    import pandas as pd

    return pd.concat(tables, ignore_index=True)


def _shown(files: list[Path]):
    return files[0] if len(files) == 1 else f"{files[0].parent}/{{{', '.join(p.name for p in files)}}}"


def _years(table, files, what: str, years):
    """The requested ``years`` as an array: consecutive, each held by ``table``."""
    have = np.unique(table["Time"].to_numpy(int))
    wanted = np.asarray(list(years), int)
    if not wanted.size:
        raise AssumptionError(_shown(files), "Time", f"expected years shared by the four tables; the {what} "
                                                     f"holds {have[0]}..{have[-1]}")
    outside = np.setdiff1d(wanted, have)
    if outside.size:
        raise AssumptionError(_shown(files), "Time", f"expected the year {int(outside[0])} in the {what}; "
                                                     f"the files hold {have[0]}..{have[-1]}"
                                                     + ("" if np.all(np.diff(have) == 1) else " with gaps"))
    gap = np.flatnonzero(np.diff(wanted) != 1)
    if gap.size:
        raise AssumptionError(_shown(files), "Time", f"expected every year from {wanted[0]} to {wanted[-1]} "
                                                     f"in the {what}; no row for {wanted[gap[0]] + 1}")
    return wanted


def _checked(table, column: str, lo=None, hi=None, what="a number"):
    """Cells of ``column`` finite and in [lo, hi]; an error names the file and row."""
    values = table[column].to_numpy(float)
    bad = ~np.isfinite(values)
    if bad.any():
        i = int(bad.argmax())
        raise data_error(table["_file"].iloc[i], column, int(table["_row"].iloc[i]),
                         f"expected {what}; got an empty or non-numeric cell at Time={table['Time'].iloc[i]}")
    for path in table["_file"].unique():
        part = table[table["_file"] == path].set_index("_row")
        check_range(path, part, column, lo, hi, what, context=("Time", "Sex", "AgeGrpStart"))


def _single_ages(table):
    """Ages 0..100 (100 = 100+), ages 0..99 of span 1 (a 5-year file is refused)."""
    ages = table["AgeGrpStart"].to_numpy(float)
    bad = ~np.isin(ages, np.arange(101))
    if bad.any():
        i = int(bad.argmax())
        raise data_error(table["_file"].iloc[i], "AgeGrpStart", int(table["_row"].iloc[i]),
                         f"expected a single age 0..100 (100 = 100+); got {table['AgeGrpStart'].iloc[i]}")
    wide = (table["AgeGrpStart"] < 100) & (table["AgeGrpSpan"] != 1)
    if wide.any():
        i = int(np.argmax(wide.to_numpy()))
        raise data_error(table["_file"].iloc[i], "AgeGrpSpan", int(table["_row"].iloc[i]),
                         f"expected single ages (AgeGrpSpan 1); got {table['AgeGrpSpan'].iloc[i]} at age "
                         f"{table['AgeGrpStart'].iloc[i]} (a file of 5-year age groups?)")


def _array(table, files, axes: dict, value: str, what: str):
    """``value`` as a dense array over ``axes`` (missing or doubled keys are errors;
    a doubled key names both files and rows)."""
    twice = table.duplicated(subset=list(axes), keep=False).to_numpy()
    if twice.any():
        rows = table[twice].sort_values(list(axes))
        a, b = rows.iloc[0], rows.iloc[1]
        key = ", ".join(f"{k}={a[k]}" for k in axes)
        raise data_error(b["_file"], ", ".join(axes), int(b["_row"]),
                         f"expected one row per {', '.join(axes)} in the {what}; {key} appears again (first in "
                         f"{Path(a['_file']).name} row {int(a['_row'])}; two copies of a file?)")
    table = table.rename(columns={value: "value"})
    return to_array(_shown(files), table, axes, what=f" in the {what}")


def read_wpp(folder, country, variant: str = "Medium", years=None) -> dict:
    """Population, life tables, fertility, SRB and net migration of one
    country from the WPP 2024 CSV files in ``folder``.

    ``country``: name, ISO3 code or LocID; ``variant``: a ``Variant`` of the
    files (case-insensitive); ``years``: None (every year all four tables
    hold), ``(first, last)`` or a list of consecutive years.

    Returns, sex order (female, male), persons, in the layouts of
    :func:`actuarial.demography.un_tables.read_un_tables`: ``years`` (Y,),
    ``base_year`` (the first), ``population`` (Y, 2, 101) on 1 January
    (``population_base`` (2, 101) the first year's), ``mx`` (Y, 2, 101),
    ``life_table`` (column -> (Y, 2, 101) for :data:`LIFE_TABLE`), ``asfr``
    (Y, 101) births per woman, ``srb`` (Y,) males per female birth,
    ``net_migration`` (Y,) and ``births`` (Y,) persons in the year;
    ``country``, ``variant`` (as the files spell it), ``revision`` and ``sources`` (table -> the
    files and where the years came from).
    """
    folder = Path(folder)
    years = _requested(folder, years)
    if not isinstance(variant, str) or not variant.strip():
        raise AssumptionError(folder.absolute(), "variant", f"expected a WPP variant name such as Medium; got "
                                                            f"{kind(variant)}")
    variant = variant.strip()
    where = find_country(folder, country)
    locid = where["LocID"]
    loaded, sources = {}, {}
    found = {group: find_files(folder, group) for group in GROUPS}
    tables = _read_groups(found, locid)
    for group in GROUPS:
        files, table = found[group], tables[group]
        if table is None:
            raise AssumptionError(_shown(files), "LocID", f"no rows for {where['Location']} (LocID {locid}) "
                                                          f"in the {group.replace('_', ' ')} files")
        rows, note, name = _variant_rows(table, files, variant, group.replace("_", " "),
                                         fallback_ok=group == "life_table" and _medium_mortality(variant))
        loaded[group] = (files, rows, name)
        sources[group] = {"files": [p.name for p in files], "rows": note}
    if years is None:  # the years all four tables hold
        common = set.intersection(*(set(rows["Time"].astype(int)) for _, rows, _ in loaded.values()))
        years = sorted(common)
    for group, (files, rows, _) in loaded.items():  # every table must hold the years, consecutive
        wanted = _years(rows, files, group.replace("_", " "), years)
    out = {"years": wanted, "base_year": int(wanted[0]), "country": where, "revision": REVISION,
           "variant": loaded["population"][2], "sources": sources}
    for group, read in (("population", _population), ("life_table", _life_table), ("fertility", _fertility),
                        ("indicators", _indicators)):
        out.update(read(*loaded[group][:2], wanted))
    return out


def _requested(folder: Path, years):
    """None, or the requested years as a list of whole numbers."""
    if years is None:
        return None
    if isinstance(years, tuple) and len(years) == 2:
        years = range(years[0], years[1] + 1) if all(isinstance(y, int) for y in years) else years
    values = list(years) if not isinstance(years, (str, bytes, int)) and hasattr(years, "__iter__") else None
    if not values or not all(isinstance(y, (int, np.integer)) and not isinstance(y, bool) for y in values):
        raise AssumptionError(folder.absolute(), "years", f"expected (first, last) or a list of years; got "
                                                          f"{kind(years)}")
    return [int(y) for y in values]


def _medium_mortality(variant: str) -> bool:
    return variant.casefold() in {v.casefold() for v in MEDIUM_MORTALITY}


def _in_years(rows, wanted):
    return rows[rows["Time"].isin(wanted).to_numpy()]


def _population(files, rows, wanted) -> dict:
    rows = _in_years(rows, wanted)
    _single_ages(rows)
    for column in ("PopFemale", "PopMale"):
        _checked(rows, column, 0.0, None, "a population (thousands)")
    axes = {"Time": list(wanted), "AgeGrpStart": AGES}
    pop = np.stack([_array(rows, files, axes, c, "population") for c in ("PopFemale", "PopMale")], axis=1) * 1000
    return {"population": pop, "population_base": pop[0]}


def _life_table(files, rows, wanted) -> dict:
    rows = _in_years(rows, wanted)
    rows = rows.assign(Sex=rows["Sex"].str.strip().str.lower())
    rows = rows[rows["Sex"].isin(SEXES).to_numpy()]
    if rows.empty:
        raise AssumptionError(_shown(files), "Sex", "expected life-table rows for Female and Male")
    _single_ages(rows)
    _checked(rows, "mx", 0.0, MX_MAX, "a central death rate mx")
    axes = {"Time": list(wanted), "Sex": SEXES, "AgeGrpStart": AGES}
    table = {}
    for column in LIFE_TABLE:
        if column != "mx":
            _checked(rows, column, None, None, f"a number ({column})")
        table[column] = _array(rows, files, axes, column, "life table")
    return {"mx": table["mx"], "life_table": table}


def _fertility(files, rows, wanted) -> dict:
    rows = _in_years(rows, wanted)
    _single_ages(rows)
    _checked(rows, "ASFR", 0.0, ASFR_MAX, "a fertility rate ASFR (births per 1,000 women)")
    ages = range(int(rows["AgeGrpStart"].min()), int(rows["AgeGrpStart"].max()) + 1)
    asfr = np.zeros((len(wanted), 101))
    asfr[:, ages.start:ages.stop] = _array(rows, files, {"Time": list(wanted), "AgeGrpStart": ages}, "ASFR",
                                           "fertility rates") / 1000
    return {"asfr": asfr}


def _indicators(files, rows, wanted) -> dict:
    rows = _in_years(rows, wanted)
    _checked(rows, "SRB", *SRB_RANGE, "a sex ratio at birth (males per 100 female births)")
    _checked(rows, "NetMigrations", None, None, "a net migration total (thousands)")
    _checked(rows, "Births", 0.0, None, "a number of births (thousands)")
    axes = {"Time": list(wanted)}
    return {"srb": _array(rows, files, axes, "SRB", "demographic indicators") / 100,
            "net_migration": _array(rows, files, axes, "NetMigrations", "demographic indicators") * 1000,
            "births": _array(rows, files, axes, "Births", "demographic indicators") * 1000}
