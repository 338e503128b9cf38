#!/usr/bin/python3
"""GENERATED benchmark data: N scaled copies of the real Taipei planning green zones.

Follows ../shared/domain/indicator-method.md ("Scaled sets for benchmarks"):
  1. the real layer taipei_green_permeable/urban_green_land.geojson (505 MultiPolygons, CRS84) is
     reprojected to EPSG:3826 (TWD97 / TM2 zone 121);
  2. its invalid polygons (7) are repaired with GEOS MakeValid (linework), keeping the polygonal
     parts only;
  3. copy k (k = 0..N-1) is real polygon k mod 505, shifted by a random offset (numpy PCG64,
     fixed seed) drawn uniformly among the offsets that keep the copy's bounding box inside the
     bounding box of the 12 districts of taipei_districts_villages/taipei_town.geojson (1 mm margin).
     Copies overlap heavily (100,000 copies cover that box ~40 times): the indicator is then an
     overlay plus a large dissolve.
Offsets are drawn in copy order from one stream, so the set of size n is a prefix of any larger
set made with the same seed.

Output: a GeoPackage, layer `green` (MultiPolygon, EPSG:3826), fields name, type (copied from
the real feature), src_index (0-based index of the real feature), copy_no; dataset and layer
metadata say "GENERATED: scaled copies of real data". The file name says it too:
green_scaled_<N>_GENERATED.gpkg (default name).

Usage: /usr/bin/python3 bench/make_scaled_green.py N [--out PATH] [--seed 4] [--check]
Written for Debian 12's python3 (shapely 1.8, no pyogrio): the copies are made by adding the
offsets to the coordinates inside WKB templates with numpy and written with OGR in one
transaction; 1,000,000 copies (~2.4 GB of WKB) take a few minutes on one core.
"""
import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from osgeo import gdal, ogr, osr

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("STRATA_DATA_DIR", ROOT.parent / "shared" / "data"))
GREEN = DATA / "taipei_green_permeable" / "urban_green_land.geojson"
DISTRICTS = DATA / "taipei_districts_villages" / "taipei_town.geojson"
LABEL = "GENERATED: scaled copies of real data (not real green zones)"
DEFAULT_SEED = 4
MARGIN = 0.001  # m: copies stay this far inside the districts' bounding box

gdal.UseExceptions()
ogr.UseExceptions()


def _srs(epsg):
    s = osr.SpatialReference()
    s.ImportFromEPSG(epsg)
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return s


def _to_3826(geom):
    src = geom.GetSpatialReference() or _srs(4326)
    src.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    geom.Transform(osr.CoordinateTransformation(src, _srs(3826)))
    return geom


def polygonal(geom):
    """MultiPolygon of the polygonal parts of an OGR geometry (after MakeValid), or None."""
    t = ogr.GT_Flatten(geom.GetGeometryType())
    if t == ogr.wkbPolygon:
        return ogr.ForceToMultiPolygon(geom)
    if t == ogr.wkbMultiPolygon:
        return geom
    if t == ogr.wkbGeometryCollection:
        out = ogr.Geometry(ogr.wkbMultiPolygon)
        for i in range(geom.GetGeometryCount()):
            part = polygonal(geom.GetGeometryRef(i))
            if part is not None:
                for j in range(part.GetGeometryCount()):
                    out.AddGeometry(part.GetGeometryRef(j))
        return out if out.GetGeometryCount() else None
    return None


def districts_bbox():
    """(minx, miny, maxx, maxy) of the 12 districts in EPSG:3826."""
    ds = ogr.Open(str(DISTRICTS))
    lyr = ds.GetLayer(0)
    boxes = []
    for f in lyr:
        g = _to_3826(f.GetGeometryRef().Clone())
        minx, maxx, miny, maxy = g.GetEnvelope()
        boxes.append((minx, miny, maxx, maxy))
    assert len(boxes) == 12, f"{DISTRICTS}: expected 12 districts, found {len(boxes)}"
    b = np.array(boxes)
    return b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()


def real_green():
    """The 505 real green polygons in EPSG:3826, repaired: list of (name, type, OGR MultiPolygon)
    and a repair report."""
    ds = ogr.Open(str(GREEN))
    lyr = ds.GetLayer(0)
    out, repaired = [], []
    gdal.PushErrorHandler("CPLQuietErrorHandler")  # GEOS "Ring Self-intersection at ..." notices
    for i, f in enumerate(lyr):
        g = _to_3826(f.GetGeometryRef().Clone())
        if not g.IsValid():
            before = g.GetArea()
            g = polygonal(g.MakeValid())  # GEOS MakeValid, linework method (GEOS 3.11 default)
            repaired.append({"index": i, "area_before_m2": before, "area_after_m2": g.GetArea() if g else 0.0})
            if g is None:
                continue
        g = ogr.ForceToMultiPolygon(g)
        out.append((f.GetField("name"), f.GetField("type"), g, i))
    gdal.PopErrorHandler()
    return out, repaired


class WkbTemplate:
    """Little-endian WKB of one MultiPolygon and where its x/y coordinates sit, so that copies
    shifted by (dx, dy) are made for many offsets at once with numpy."""

    def __init__(self, geom):
        wkb = bytes(geom.ExportToWkb(ogr.wkbNDR))
        self.bytes = np.frombuffer(wkb, dtype=np.uint8)
        self.segments = []  # (byte offset, coordinates as (n, 2) float64)
        pos = 0
        assert wkb[0] == 1 and int.from_bytes(wkb[1:5], "little") == 6, "expected a 2D MultiPolygon"
        npoly = int.from_bytes(wkb[5:9], "little")
        pos = 9
        for _ in range(npoly):
            assert wkb[pos] == 1 and int.from_bytes(wkb[pos + 1:pos + 5], "little") == 3
            nrings = int.from_bytes(wkb[pos + 5:pos + 9], "little")
            pos += 9
            for _ in range(nrings):
                n = int.from_bytes(wkb[pos:pos + 4], "little")
                pos += 4
                xy = np.frombuffer(wkb, dtype="<f8", count=2 * n, offset=pos).reshape(n, 2).copy()
                self.segments.append((pos, xy))
                pos += 16 * n
        assert pos == len(wkb)
        minx, maxx, miny, maxy = geom.GetEnvelope()
        self.bbox = (minx, miny, maxx, maxy)

    def shifted(self, offsets):
        """WKB rows (m, len) for offsets (m, 2)."""
        m = len(offsets)
        out = np.tile(self.bytes, (m, 1))
        for pos, xy in self.segments:
            c = (xy[None, :, :] + offsets[:, None, :]).astype("<f8")
            out[:, pos:pos + c.shape[1] * 16] = c.reshape(m, -1).view(np.uint8)
        return out


def offsets_for(n, seed, bases, bbox):
    """Offset per copy: uniform among shifts that keep the copy's bbox inside `bbox`."""
    rng = np.random.default_rng(seed)
    u = rng.random((n, 2))
    b = np.array([t.bbox for t in bases])[np.arange(n) % len(bases)]
    lo = np.stack([bbox[0] + MARGIN - b[:, 0], bbox[1] + MARGIN - b[:, 1]], axis=1)
    hi = np.stack([bbox[2] - MARGIN - b[:, 2], bbox[3] - MARGIN - b[:, 3]], axis=1)
    assert (hi >= lo).all(), "a real polygon is larger than the districts' bounding box"
    return lo + u * (hi - lo)


def make(n, out: Path, seed=DEFAULT_SEED, check=False, chunk=50000, log=print):
    t0 = time.perf_counter()
    bbox = districts_bbox()
    real, repaired = real_green()
    bases = [WkbTemplate(g) for _, _, g, _ in real]
    offsets = offsets_for(n, seed, bases, bbox)
    log(f"{len(real)} real polygons ({len(repaired)} repaired), districts bbox {tuple(round(v, 3) for v in bbox)}")

    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():
        gdal.GetDriverByName("GPKG").Delete(str(out))
    meta = {
        "generated": LABEL,
        "source": str(GREEN.relative_to(DATA)) if GREEN.is_relative_to(DATA) else str(GREEN),
        "method": "shared/domain/indicator-method.md: copy k = real polygon k mod "
                  f"{len(real)} (EPSG:3826, MakeValid linework, polygonal parts) + uniform random offset "
                  "keeping its bbox inside the bbox of the 12 Taipei districts",
        "seed": seed, "copies": n, "rng": "numpy default_rng (PCG64)",
        "districts_bbox_3826": list(bbox), "repaired_real_polygons": repaired,
    }
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(out))
    ds.SetMetadataItem("STRATA_GENERATED", LABEL)
    ds.SetMetadataItem("STRATA_GENERATOR", json.dumps(meta, ensure_ascii=False))
    lyr = ds.CreateLayer("green", _srs(3826), ogr.wkbMultiPolygon,
                         ["GEOMETRY_NAME=geom", "FID=fid", f"IDENTIFIER=green ({n:,} scaled copies, GENERATED)",
                          f"DESCRIPTION={LABEL}; {meta['method']}; seed {seed}"])
    for name in ("name", "type"):
        lyr.CreateField(ogr.FieldDefn(name, ogr.OFTString))
    lyr.CreateField(ogr.FieldDefn("src_index", ogr.OFTInteger))
    lyr.CreateField(ogr.FieldDefn("copy_no", ogr.OFTInteger))
    defn = lyr.GetLayerDefn()
    nb = len(bases)
    ds.StartTransaction()
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        blobs = [None] * (stop - start)
        for i, t in enumerate(bases):
            first = start + ((i - start) % nb)  # first copy >= start made from base i
            ks = np.arange(first, stop, nb)
            if len(ks) == 0:
                continue
            rows = t.shifted(offsets[ks])
            for k, row in zip(ks, rows):
                blobs[k - start] = row.tobytes()
        for j, blob in enumerate(blobs):
            k = start + j
            name, typ, _, src = real[k % nb]
            f = ogr.Feature(defn)
            f.SetFID(k + 1)
            f["name"], f["type"], f["src_index"], f["copy_no"] = name, typ, src, k
            f.SetGeometryDirectly(ogr.CreateGeometryFromWkb(blob))
            lyr.CreateFeature(f)
        log(f"  {stop:,}/{n:,} copies written ({time.perf_counter() - t0:.1f} s)")
    ds.CommitTransaction()
    ds = None  # closes the file, builds the R-tree
    result = {"path": str(out), "copies": n, "seconds": time.perf_counter() - t0, **meta}
    if check:
        result["check"] = verify(out, bbox)
        log(f"check: {result['check']}")
    Path(str(out) + ".json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    log(f"{out}: {n:,} copies in {result['seconds']:.1f} s ({out.stat().st_size / 1e6:.0f} MB)")
    return result


def verify(path: Path, bbox):
    """Every copy valid and inside the districts' bbox (slow for 1,000,000: about 1 min/100,000)."""
    ds = ogr.Open(str(path))
    lyr = ds.GetLayer("green")
    invalid, outside, n, area = [], 0, 0, 0.0
    gdal.PushErrorHandler("CPLQuietErrorHandler")
    for f in lyr:
        g = f.GetGeometryRef()
        minx, maxx, miny, maxy = g.GetEnvelope()
        if minx < bbox[0] or miny < bbox[1] or maxx > bbox[2] or maxy > bbox[3]:
            outside += 1
        if not g.IsValid():
            invalid.append(f.GetFID())
        area += g.GetArea()
        n += 1
    gdal.PopErrorHandler()
    return {"features": n, "invalid": len(invalid), "invalid_fids": invalid[:20], "outside_bbox": outside,
            "sum_of_areas_m2": area}


def main():
    ap = argparse.ArgumentParser(description="GENERATED scaled copies of the real Taipei green zones (EPSG:3826 GPKG)")
    ap.add_argument("n", type=int, help="number of copies (polygons), e.g. 100000")
    ap.add_argument("--out", type=Path, help="output GeoPackage (default: green_scaled_<N>_GENERATED.gpkg here)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--check", action="store_true", help="check every copy: valid, inside the bbox")
    args = ap.parse_args()
    out = args.out or Path(f"green_scaled_{args.n}_GENERATED.gpkg")
    make(args.n, out, seed=args.seed, check=args.check)


if __name__ == "__main__":
    sys.exit(main())
