#!/usr/bin/python3
"""Cut the samples/taipei excerpt from the shared real-data folder.

Usage (from the repository root):
    /usr/bin/python3 samples/cut_taipei.py [DATA_DIR]
DATA_DIR defaults to ../shared/data (i.e. /work/shared/data next to the checkout).

Every output is a verbatim subset of its source: GeoJSON features and CSV rows are
copied as the exact source bytes (the header/footer of each file is kept, features
and rows are only dropped, never re-serialised), so attributes, coordinate digits,
key order, the source's crs member (or its absence) and its whitespace style survive.
The script then checks that every village joins to the census.
"""
import csv
import io
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data"
OUT = ROOT / "samples" / "taipei"

DISTRICTS = ["信義區", "大安區", "萬華區"]

# urban_green_land.geojson has no ids: these are 0-based positions in its "features"
# array (source order), chosen for 信義區 / 大安區 / 萬華區 (see samples/README.md).
GREEN_POSITIONS = [4, 35, 38, 52, 65, 166, 202, 219, 273, 362]

# all_pav_dist.geojson: per chosen district and per map_type, the first N in source order.
PAVING_PER_DISTRICT_AND_TYPE = 2


def split_features(path):
    """Return (head, separator, features, tail) of a GeoJSON FeatureCollection, where
    features is a list of (parsed object, exact source text)."""
    text = path.read_text(encoding="utf-8")
    m = re.search(r'"features"\s*:\s*\[', text)
    pos = m.end()
    dec = json.JSONDecoder()
    feats, spans = [], []
    while True:
        while text[pos] in " \t\r\n,":
            pos += 1
        if text[pos] == "]":
            break
        obj, end = dec.raw_decode(text, pos)
        feats.append((obj, text[pos:end]))
        spans.append((pos, end))
        pos = end
    head = text[: spans[0][0]]
    sep = text[spans[0][1] : spans[1][0]]
    tail = text[spans[-1][1] :]
    return head, sep, feats, tail


def write_subset(src, dst, keep):
    head, sep, feats, tail = split_features(src)
    chosen = [raw for i, (obj, raw) in enumerate(feats) if keep(i, obj)]
    dst.write_text(head + sep.join(chosen) + tail, encoding="utf-8")
    # Re-read: must be valid JSON, and every kept feature must equal its source feature.
    back = json.loads(dst.read_text(encoding="utf-8"))
    src_objs = [obj for i, (obj, raw) in enumerate(feats) if keep(i, obj)]
    assert back["features"] == src_objs, dst
    print(f"{dst.relative_to(ROOT)}: {len(chosen)} of {len(feats)} features from {src}")
    return src_objs


def write_rows(src, dst, keep):
    lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
    header = next(csv.reader([lines[0]]))
    chosen = [lines[0]]
    for line in lines[1:]:
        row = dict(zip(header, next(csv.reader([line]))))
        if keep(row):
            chosen.append(line)
    dst.write_text("".join(chosen), encoding="utf-8")
    print(f"{dst.relative_to(ROOT)}: {len(chosen) - 1} of {len(lines) - 1} rows from {src}")
    return [dict(zip(header, next(csv.reader([l])))) for l in chosen[1:]]


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    tv = DATA / "taipei_districts_villages"
    gp = DATA / "taipei_green_permeable"
    pop = DATA / "taiwan_village_population_2013"

    write_subset(tv / "taipei_town.geojson", OUT / "districts.geojson",
                 lambda i, f: f["properties"]["TNAME"] in DISTRICTS)
    villages = write_subset(tv / "taipei_village.geojson", OUT / "villages.geojson",
                            lambda i, f: f["properties"]["TNAME"] in DISTRICTS)

    codes = write_rows(pop / "districts.csv", OUT / "village_codes.csv",
                       lambda r: r["county"] == "臺北市" and r["town"] in DISTRICTS)
    ivids = {r["ivid"] for r in codes}
    census = write_rows(pop / "census2013-03.csv", OUT / "census.csv", lambda r: r["ivid"] in ivids)

    write_subset(gp / "urban_green_land.geojson", OUT / "green.geojson",
                 lambda i, f: i in GREEN_POSITIONS)

    seen = {}

    def paving(i, f):
        key = (f["properties"].get("dist"), f["properties"].get("map_type"))
        if key[0] not in DISTRICTS or seen.get(key, 0) >= PAVING_PER_DISTRICT_AND_TYPE:
            return False
        seen[key] = seen.get(key, 0) + 1
        return True

    # Decide once (write_subset calls keep() twice: to write, then to verify).
    head, sep, feats, tail = split_features(gp / "all_pav_dist.geojson")
    picked = set()
    for i, (obj, raw) in enumerate(feats):
        if paving(i, obj):
            picked.add(i)
    write_subset(gp / "all_pav_dist.geojson", OUT / "paving.geojson", lambda i, f: i in picked)

    # Join check: village (TNAME, VNAME with variant characters folded) -> village_codes
    # (town, name) -> census (ivid), one to one, nothing left over.
    variants = {}
    with open(OUT / "name_variants.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            variants[r["variant"]] = r["canonical"]

    def fold(s):
        for v, c in variants.items():
            s = s.replace(v, c)
        return s

    by_name = {(r["town"], r["name"]): r["ivid"] for r in codes}
    assert len(by_name) == len(codes)
    census_by_ivid = {r["ivid"]: r for r in census}
    used, normalised = set(), 0
    for v in villages:
        p = v["properties"]
        key = (p["TNAME"], p["VNAME"])
        if key not in by_name:
            key = (fold(p["TNAME"]), fold(p["VNAME"]))
            normalised += 1
        ivid = by_name[key]  # KeyError = a village that does not join
        assert ivid in census_by_ivid and ivid not in used, key
        used.add(ivid)
    assert used == set(census_by_ivid) == ivids, "census rows left over"
    print(f"join: {len(villages)} villages, {len(used)} census rows, {normalised} matched after normalising")
    for d in DISTRICTS:
        total = sum(int(census_by_ivid[by_name[k]]["male"]) + int(census_by_ivid[by_name[k]]["female"])
                    for k in by_name if k[0] == d)
        hh = sum(int(census_by_ivid[by_name[k]]["household"]) for k in by_name if k[0] == d)
        n = sum(1 for k in by_name if k[0] == d)
        print(f"  {d}: {n} villages, population {total:,}, households {hh:,}")


if __name__ == "__main__":
    main()
