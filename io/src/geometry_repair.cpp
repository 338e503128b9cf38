#include "strata/io/geometry_repair.h"

#include "ogr_geometry.h"

#include <cmath>
#include <cstdio>
#include <memory>

namespace strata::io {

std::optional<RepairResult> snap_and_make_valid(const MultiPolygon2& geometry, double grid) {
  // Near-degenerate rings (a vertex a few micrometres off an edge) are valid for one library and
  // self-intersecting for another; rounding to a small grid and repairing settles them.
  MultiPolygon2 snapped = geometry;
  auto snap = [grid](Ring2& ring) {
    Ring2 out;
    for (auto p : ring) {
      p.x(std::round(p.x() / grid) * grid);
      p.y(std::round(p.y() / grid) * grid);
      if (out.empty() || out.back().x() != p.x() || out.back().y() != p.y()) out.push_back(p);
    }
    ring = std::move(out);
  };
  for (auto& poly : snapped) {
    snap(poly.outer());
    for (auto& inner : poly.inners()) snap(inner);
  }
  auto result = make_valid_polygonal(snapped);
  if (result) {
    char grid_text[32];
    std::snprintf(grid_text, sizeof grid_text, "%g", grid);
    result->method =
        std::string("coordinates snapped to a ") + grid_text + " grid, then " + result->method;
  }
  return result;
}

std::optional<RepairResult> make_valid_polygonal(const MultiPolygon2& geometry) {
  auto ogr = to_ogr(geometry);
  // STRUCTURE (GEOS >= 3.10) unions overlapping parts, as a user expects of a zone drawn twice;
  // the default LINEWORK method would turn the overlap into a hole.
  const char* options[] = {"METHOD=STRUCTURE", "KEEP_COLLAPSED=NO", nullptr};
  std::unique_ptr<OGRGeometry> valid(ogr->MakeValid(options));
  if (!valid) return std::nullopt;
  // MakeValid can return touching polygons as separate parts; a union merges them so that the
  // result is a valid multipolygon.
  if (wkbFlatten(valid->getGeometryType()) == wkbGeometryCollection ||
      wkbFlatten(valid->getGeometryType()) == wkbMultiPolygon) {
    MultiPolygon2 parts;
    append_polygons(valid.get(), parts);
    auto merged_in = to_ogr(parts);
    std::unique_ptr<OGRGeometry> merged(merged_in->UnionCascaded());
    if (merged) valid = std::move(merged);
  }
  RepairResult result;
  const int dropped = append_polygons(valid.get(), result.geometry).non_polygonal;
  if (result.geometry.empty()) return std::nullopt;
  result.method = "GEOS MakeValid (structure) + union";
  if (dropped > 0) result.method += ", " + std::to_string(dropped) + " collapsed part(s) dropped";
  return result;
}

}  // namespace strata::io
