#pragma once
// Conversions between OGR geometries and strata's Boost.Geometry types, shared by the GDAL
// source, the repair step and the GeoPackage store (private to io/).
#include <ogr_geometry.h>

#include <memory>

#include "strata/core/geometry.h"

namespace strata::io {

std::unique_ptr<OGRMultiPolygon> to_ogr(const MultiPolygon2& geometry);

// Appends the polygons of `g` (Polygon, MultiPolygon or a collection holding them) to `out`,
// closing open rings and orienting rings as Boost expects. Returns false when `g` holds
// anything that is not a polygon (those parts are skipped and counted in `non_polygonal`).
struct PolygonAppend {
  bool closed_open_rings = false;
  int non_polygonal = 0;
};
PolygonAppend append_polygons(const OGRGeometry* g, MultiPolygon2& out);

std::unique_ptr<OGRMultiPoint> to_ogr(const MultiPoint2& geometry);
std::unique_ptr<OGRMultiLineString> to_ogr(const MultiLinestring2& geometry);
// Append the points (Point, MultiPoint) or lines (LineString, MultiLineString, and such
// collections) of `g`; false when `g` holds anything else (nothing is appended then).
bool append_points(const OGRGeometry* g, MultiPoint2& out);
// With `heights`, each part's z values too (one vector per part, in order).
bool append_lines(const OGRGeometry* g, MultiLinestring2& out,
                  std::vector<std::vector<double>>* heights = nullptr);

}  // namespace strata::io
