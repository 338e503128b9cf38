#include "strata/io/geometry_repair.h"

#include <ogr_geometry.h>

#include <boost/geometry/algorithms/correct.hpp>
#include <cmath>
#include <memory>

namespace strata::io {
namespace {

std::unique_ptr<OGRMultiPolygon> to_ogr(const MultiPolygon2& mp) {
  auto out = std::make_unique<OGRMultiPolygon>();
  auto ring_of = [](const Ring2& r) {
    auto ring = std::make_unique<OGRLinearRing>();
    for (const auto& p : r) ring->addPoint(p.x(), p.y());
    return ring;
  };
  for (const auto& poly : mp) {
    OGRPolygon p;
    p.addRingDirectly(ring_of(poly.outer()).release());
    for (const auto& inner : poly.inners()) p.addRingDirectly(ring_of(inner).release());
    out->addGeometry(&p);
  }
  return out;
}

void collect(const OGRGeometry* g, MultiPolygon2& out, int& dropped) {
  switch (wkbFlatten(g->getGeometryType())) {
    case wkbPolygon: {
      const OGRPolygon* poly = g->toPolygon();
      if (poly->IsEmpty()) return;
      Polygon2 p;
      auto add = [](const OGRLinearRing* r, Ring2& ring) {
        for (int i = 0; i < r->getNumPoints(); ++i) ring.emplace_back(r->getX(i), r->getY(i));
      };
      add(poly->getExteriorRing(), p.outer());
      for (int i = 0; i < poly->getNumInteriorRings(); ++i) {
        p.inners().emplace_back();
        add(poly->getInteriorRing(i), p.inners().back());
      }
      boost::geometry::correct(p);
      out.push_back(std::move(p));
      return;
    }
    case wkbMultiPolygon:
    case wkbGeometryCollection:
      for (const OGRGeometry* part : *g->toGeometryCollection()) collect(part, out, dropped);
      return;
    default:
      ++dropped;
  }
}

}  // namespace

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
  if (result) result->method = "snapped to a " + std::to_string(grid) + " grid, then " + result->method;
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
    int dropped = 0;
    collect(valid.get(), parts, dropped);
    auto merged_in = to_ogr(parts);
    std::unique_ptr<OGRGeometry> merged(merged_in->UnionCascaded());
    if (merged) valid = std::move(merged);
  }
  RepairResult result;
  int dropped = 0;
  collect(valid.get(), result.geometry, dropped);
  if (result.geometry.empty()) return std::nullopt;
  result.method = "GEOS MakeValid (structure) + union";
  if (dropped > 0) result.method += ", " + std::to_string(dropped) + " collapsed part(s) dropped";
  return result;
}

}  // namespace strata::io
