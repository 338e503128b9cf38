"""Independent reference computation of the Taipei indicators (ISO 37120 21.1, permeable paving).

Follows ../shared/domain/indicator-method.md step by step with GeoPandas / Shapely / pandas, so
that tests/cli/test_indicators_taipei.py can compare `strata indicators` against a computation
that shares no code with strata:

  1. every layer reprojected to EPSG:3826 (TWD97 / TM2 zone 121); areas are planar, in m²;
  2. invalid polygons repaired with GEOS MakeValid (the "linework" method, Shapely's only one
     before 2.0), keeping polygonal parts only;
  3. population per district = Σ (male + female) over its villages, each (district, village)
     name pair joined to the 臺北市 rows of districts.csv and from there to the census by ivid,
     with the one variant spelling 糖蔀里 (boundaries) = 糖廍里 (census);
  4. green area per district = area of the union of (green ∩ district);
  5. 21.1 = green ha / (population / 100 000);
  6. permeable paving per district = area of the union of (paving ∩ district), all five layers
     together;
  7. city-wide = sums over the districts, ratios recomputed from the sums.

Every function returns a dict keyed by district name (TNAME). Rows use the column names of
`indicators.json` (notes/indicators_spec.md) so that a test can compare them key by key.

Standalone: /usr/bin/python3 tests/cli/indicator_reference.py [DATA_DIR] prints the table.
"""
from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Tuple, Dict, Iterable, List, Optional

CRS = 3826  # EPSG:3826, the project CRS of tests/realdata/projects/taipei_indicators.toml

TOWNS = Path("taipei_districts_villages") / "taipei_town.geojson"
VILLAGES = Path("taipei_districts_villages") / "taipei_village.geojson"
CENSUS = Path("taiwan_village_population_2013") / "census2013-03.csv"
VILLAGE_CODES = Path("taiwan_village_population_2013") / "districts.csv"
GREEN = Path("taipei_green_permeable") / "urban_green_land.geojson"
# The five permeable-paving layers, keyed by the layer names of taipei_indicators.toml.
PAVING = {
    "pav_pac": Path("taipei_green_permeable") / "permeable_pac.geojson",
    "pav_park": Path("taipei_green_permeable") / "permeable_park.geojson",
    "pav_parking": Path("taipei_green_permeable") / "permeable_parking.geojson",
    "pav_school": Path("taipei_green_permeable") / "permeable_school.geojson",
    "pav_sidewalk": Path("taipei_green_permeable") / "permeable_sidewalk.geojson",
}

TAIPEI_COUNTY = "臺北市"
# Boundary spelling -> census spelling (same pair as samples/taipei/name_variants.csv).
NAME_VARIANTS = {"糖蔀": "糖廍"}

# AP5.1 target of Taipei's 2018 strategy map (../shared/domain/city-documents.md, 001:1300-1349).
PAVING_TARGET_M2 = 39237.0


def default_data_dir() -> Path:
    """Same rule as strata_test_support.data_dir(), without importing it (keeps this standalone)."""
    env = os.environ.get("STRATA_DATA_DIR")
    if env:
        return Path(env).resolve()
    return (Path(__file__).resolve().parents[2] / ".." / "shared" / "data").resolve()


# --------------------------------------------------------------------------- geometry helpers

def polygonal_part(geom):
    """The polygonal part of a geometry as a (Multi)Polygon, or None when it has none.

    MakeValid and intersections both return GeometryCollections mixing polygons with the lines
    and points of degenerate pieces (a spike, a shared edge); only the polygons carry area, and
    a later union must not see the rest."""
    from shapely.geometry import MultiPolygon, Polygon

    if geom is None or geom.is_empty:
        return None
    if isinstance(geom, (Polygon, MultiPolygon)):
        return geom
    polys: List[Polygon] = []
    for part in getattr(geom, "geoms", []):
        if isinstance(part, Polygon):
            polys.append(part)
        elif isinstance(part, MultiPolygon):
            polys.extend(part.geoms)
        elif hasattr(part, "geoms"):  # nested collection
            sub = polygonal_part(part)
            if sub is not None:
                polys.extend(sub.geoms if isinstance(sub, MultiPolygon) else [sub])
    polys = [p for p in polys if not p.is_empty]
    if not polys:
        return None
    return polys[0] if len(polys) == 1 else MultiPolygon(polys)


@dataclass
class RepairStats:
    layer: str
    features: int
    invalid: int = 0
    # (feature index, area before, area after) for each repaired feature. "Before" is the
    # shoelace area GEOS reports for the invalid polygon, which is what a naive sum would use.
    changes: List[tuple] = field(default_factory=list)

    @property
    def largest_change_m2(self) -> float:
        return max((abs(after - before) for _, before, after in self.changes), default=0.0)


def read_layer(path: Path, name: str):
    """Reads a polygon layer, reprojects it to EPSG:3826 and repairs it (method steps 1 and 2).

    Returns (GeoDataFrame, RepairStats). Reprojecting before repairing follows the method's
    order; for these data the invalid set is the same in both CRSs (7 green, 2 PAC)."""
    import geopandas as gpd
    from shapely.validation import make_valid

    gdf = gpd.read_file(path)
    if gdf.crs is None:  # a GeoJSON without a crs member is WGS84 lon/lat (RFC 7946)
        gdf = gdf.set_crs(4326)
    gdf = gdf.to_crs(CRS)
    stats = RepairStats(name, len(gdf))
    geoms = []
    for i, g in enumerate(gdf.geometry):
        if g is not None and not g.is_valid:
            fixed = polygonal_part(make_valid(g))
            stats.invalid += 1
            stats.changes.append((i, g.area, fixed.area if fixed is not None else 0.0))
            g = fixed
        geoms.append(g)
    gdf = gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs))
    gdf = gdf[~gdf.geometry.isna() & ~gdf.geometry.is_empty]
    return gdf, stats


def first_zone_lengths(lines, zones: list) -> Tuple[dict, float]:
    """(zone id -> length of `lines` in the zone, length outside every zone), each stretch of the
    noded lines counted in the first zone (list order) whose closed polygon holds it.

    Zone by zone, the parts of the remaining lines that meet the zone (found by an STRtree, as
    a database's index would) are split by it: (parts ∩ zone) counts in the zone, (parts − zone)
    stays for the later zones. Intersection and difference of the same inputs node alike, so the
    zones and the outside add up to the lines. The overlay is given only the parts that meet the
    zone: lines that run along a district boundary a few nanometres off it (village and district
    boundaries reprojected separately) fall in or out depending on whether GEOS had to snap the
    whole input, so a whole-network overlay can differ by metres from a per-zone one."""
    from shapely.geometry import MultiLineString
    from shapely.strtree import STRtree

    def parts_of(g):
        if g.is_empty:
            return []
        if g.geom_type == "LineString":
            return [g]
        return [p for p in getattr(g, "geoms", []) if p.geom_type == "LineString" and not p.is_empty]

    remaining = parts_of(lines)
    out = {}
    for zid, geom in zones:
        tree = STRtree(remaining)
        hits = {id(g) for g in tree.query(geom) if g.intersects(geom)}
        near = [g for g in remaining if id(g) in hits]
        rest = [g for g in remaining if id(g) not in hits]
        if near:
            batch = MultiLineString(near)
            out[zid] = batch.intersection(geom).length
            rest += parts_of(batch.difference(geom))
        else:
            out[zid] = 0.0
        remaining = rest
    return out, sum(g.length for g in remaining)


def union_area_by_district(districts, polygons) -> Dict[str, float]:
    """Area of the union of (polygon ∩ district) per district (method steps 4 and 6).

    Clips first and unions the clipped pieces, exactly as the method words it (rather than
    union-then-clip, which is the same set but not the same floating-point path)."""
    from shapely.ops import unary_union

    index = polygons.sindex
    geoms = polygons.geometry.values
    out: Dict[str, float] = {}
    for name, zone in zip(districts["name"], districts.geometry):
        pieces = []
        for i in index.query(zone, predicate="intersects"):
            piece = polygonal_part(geoms[i].intersection(zone))
            if piece is not None:
                pieces.append(piece)
        out[name] = float(unary_union(pieces).area) if pieces else 0.0
    return out


# --------------------------------------------------------------------------- the steps

def load_districts(data_dir: Path):
    gdf, stats = read_layer(data_dir / TOWNS, "districts")
    gdf = gdf.rename(columns={"TNAME": "name", "CPTID": "code"})
    return gdf[["name", "code", "geometry"]].reset_index(drop=True), stats


def load_green(data_dir: Path):
    return read_layer(data_dir / GREEN, "green")


def load_paving(data_dir: Path):
    """The five paving layers as one frame (a polygon present in two layers counts once later)."""
    import geopandas as gpd
    import pandas as pd

    frames, stats = [], []
    for name, rel in PAVING.items():
        gdf, st = read_layer(data_dir / rel, name)
        frames.append(gdf[["geometry"]].assign(layer=name))
        stats.append(st)
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs), stats


def population_by_district(data_dir: Path) -> Dict[str, int]:
    """Σ (male + female) of each district's villages (method step 3).

    Raises when a village does not match exactly one census row: the method says all 456 match
    once, and a silent miss would shift a district's total."""
    import geopandas as gpd
    import pandas as pd

    villages = gpd.read_file(data_dir / VILLAGES, ignore_geometry=True)[["TNAME", "VNAME"]]
    codes = pd.read_csv(data_dir / VILLAGE_CODES, dtype=str)
    codes = codes.loc[codes["county"] == TAIPEI_COUNTY, ["ivid", "town", "name"]]
    census = pd.read_csv(data_dir / CENSUS, dtype={"ivid": str})
    census["population"] = census["male"] + census["female"]

    def census_spelling(name: str) -> str:
        for variant, canonical in NAME_VARIANTS.items():
            name = name.replace(variant, canonical)
        return name

    villages = villages.assign(census_name=villages["VNAME"].map(census_spelling))
    joined = villages.merge(codes, left_on=["TNAME", "census_name"], right_on=["town", "name"],
                            how="left", validate="one_to_one")
    joined = joined.merge(census[["ivid", "population"]], on="ivid", how="left", validate="many_to_one")
    missing = joined[joined["population"].isna()]
    if len(missing):
        raise ValueError(f"villages without a census row: {missing[['TNAME', 'VNAME']].values.tolist()}")
    return {str(k): int(v) for k, v in joined.groupby("TNAME")["population"].sum().items()}


# --------------------------------------------------------------------------- the whole reference

@dataclass
class Reference:
    districts: Dict[str, dict]      # district name -> ROW (indicators.json keys)
    city: dict                      # the city ROW
    repairs: Dict[str, RepairStats]  # layer name -> repair statistics
    green_raw_sum_m2: float         # Σ area of the repaired green polygons, unclipped, not unioned
    seconds: float                  # wall time of compute()


def ratio(num: Optional[float], den: Optional[float]) -> Optional[float]:
    return None if num is None or not den else num / den


def iso37120_21_1(green_m2: float, population: Optional[int]) -> Optional[float]:
    """Green hectares per 100 000 population; None (JSON null) without a population."""
    return ratio(green_m2 / 10_000.0, None if not population else population / 100_000.0)


def make_row(district_id: str, name: str, population: Optional[int], area_m2: float,
             green_m2: float, paving_m2: float) -> dict:
    return {
        "district_id": district_id,
        "district_name": name,
        "population": population,
        "district_area_m2": area_m2,
        "green_area_m2": green_m2,
        "green_area_ha": green_m2 / 10_000.0,
        "iso37120_21_1": iso37120_21_1(green_m2, population),
        "permeable_paving_m2": paving_m2,
        "permeable_paving_share": ratio(paving_m2, area_m2),
    }


def compute(data_dir: Optional[Path] = None, paving_target_m2: Optional[float] = PAVING_TARGET_M2) -> Reference:
    t0 = time.monotonic()
    data_dir = Path(data_dir) if data_dir else default_data_dir()
    districts, d_stats = load_districts(data_dir)
    green, g_stats = load_green(data_dir)
    paving, p_stats = load_paving(data_dir)

    population = population_by_district(data_dir)
    green_m2 = union_area_by_district(districts, green)
    paving_m2 = union_area_by_district(districts, paving)
    area_m2 = {n: float(g.area) for n, g in zip(districts["name"], districts.geometry)}

    rows = {}
    for name, code in zip(districts["name"], districts["code"]):
        rows[name] = make_row(code, name, population.get(name), area_m2[name], green_m2[name], paving_m2[name])

    pops = [r["population"] for r in rows.values()]
    city = make_row("city", "city", None if None in pops else sum(pops),
                    sum(r["district_area_m2"] for r in rows.values()),
                    sum(r["green_area_m2"] for r in rows.values()),
                    sum(r["permeable_paving_m2"] for r in rows.values()))
    city["paving_target_m2"] = paving_target_m2
    city["paving_target_progress"] = ratio(city["permeable_paving_m2"], paving_target_m2)

    repairs = {s.layer: s for s in [d_stats, g_stats, *p_stats]}
    return Reference(rows, city, repairs, float(green.geometry.area.sum()), time.monotonic() - t0)


# --------------------------------------------------------------------------- standalone use

def format_table(ref: Reference) -> str:
    def num(v, fmt):
        return "null" if v is None else format(v, fmt)

    lines = [f"{'district':<6} {'id':<9} {'population':>10} {'area_km2':>9} {'green_ha':>10} "
             f"{'21.1':>9} {'paving_m2':>11} {'share_%':>8}"]
    for r in [*ref.districts.values(), ref.city]:
        lines.append(f"{r['district_name']:<6} {r['district_id']:<9} {num(r['population'], ',d'):>10} "
                     f"{r['district_area_m2'] / 1e6:>9.3f} {r['green_area_ha']:>10.2f} "
                     f"{num(r['iso37120_21_1'], '.2f'):>9} {r['permeable_paving_m2']:>11.1f} "
                     f"{num(r['permeable_paving_share'] and r['permeable_paving_share'] * 100, '.4f'):>8}")
    c = ref.city
    lines.append(f"paving target {c['paving_target_m2']:,.0f} m2: progress {c['paving_target_progress']:.4f}")
    lines.append(f"green raw sum (unclipped, not unioned) {ref.green_raw_sum_m2 / 1e4:,.1f} ha")
    for s in ref.repairs.values():
        lines.append(f"repairs {s.layer}: {s.invalid}/{s.features} invalid, largest area change "
                     f"{s.largest_change_m2:,.1f} m2")
    lines.append(f"computed in {ref.seconds:.1f} s")
    return "\n".join(lines)


if __name__ == "__main__":
    print(format_table(compute(Path(sys.argv[1]) if len(sys.argv) > 1 else None)))
