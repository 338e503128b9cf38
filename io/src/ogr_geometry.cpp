#include "ogr_geometry.h"

#include <boost/geometry/algorithms/correct.hpp>

namespace strata::io {
namespace {

// Copies a ring, closing it if the source left it open; returns whether it had to.
bool copy_ring(const OGRLinearRing* ring, Ring2& out) {
  const int n = ring->getNumPoints();
  out.reserve(static_cast<std::size_t>(n) + 1);
  for (int i = 0; i < n; ++i) out.emplace_back(ring->getX(i), ring->getY(i));
  if (n > 0 && (ring->getX(0) != ring->getX(n - 1) || ring->getY(0) != ring->getY(n - 1))) {
    out.emplace_back(ring->getX(0), ring->getY(0));
    return true;
  }
  return false;
}

void append(const OGRGeometry* g, MultiPolygon2& out, PolygonAppend& result) {
  switch (wkbFlatten(g->getGeometryType())) {
    case wkbPolygon: {
      const OGRPolygon* poly = g->toPolygon();
      if (poly->IsEmpty()) return;
      Polygon2 p;
      result.closed_open_rings |= copy_ring(poly->getExteriorRing(), p.outer());
      for (int i = 0; i < poly->getNumInteriorRings(); ++i) {
        p.inners().emplace_back();
        result.closed_open_rings |= copy_ring(poly->getInteriorRing(i), p.inners().back());
      }
      boost::geometry::correct(p);  // Boost wants clockwise outers; formats differ
      out.push_back(std::move(p));
      return;
    }
    case wkbMultiPolygon:
    case wkbGeometryCollection:
      for (const OGRGeometry* part : *g->toGeometryCollection()) append(part, out, result);
      return;
    default:
      ++result.non_polygonal;
  }
}

}  // namespace

std::unique_ptr<OGRMultiPolygon> to_ogr(const MultiPolygon2& geometry) {
  auto out = std::make_unique<OGRMultiPolygon>();
  for (const auto& poly : geometry) {
    auto p = std::make_unique<OGRPolygon>();
    auto add_ring = [&p](const Ring2& r) {
      auto ring = std::make_unique<OGRLinearRing>();
      ring->setNumPoints(static_cast<int>(r.size()), FALSE);
      for (std::size_t i = 0; i < r.size(); ++i)
        ring->setPoint(static_cast<int>(i), r[i].x(), r[i].y());
      p->addRingDirectly(ring.release());
    };
    add_ring(poly.outer());
    for (const auto& inner : poly.inners()) add_ring(inner);
    out->addGeometryDirectly(p.release());
  }
  return out;
}

PolygonAppend append_polygons(const OGRGeometry* g, MultiPolygon2& out) {
  PolygonAppend result;
  if (g) append(g, out, result);
  return result;
}

}  // namespace strata::io
