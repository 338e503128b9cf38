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

std::unique_ptr<OGRMultiPoint> to_ogr(const MultiPoint2& geometry) {
  auto out = std::make_unique<OGRMultiPoint>();
  for (const auto& p : geometry) out->addGeometryDirectly(new OGRPoint(p.x(), p.y()));
  return out;
}

std::unique_ptr<OGRMultiLineString> to_ogr(const MultiLinestring2& geometry) {
  auto out = std::make_unique<OGRMultiLineString>();
  for (const auto& line : geometry) {
    auto l = std::make_unique<OGRLineString>();
    l->setNumPoints(static_cast<int>(line.size()), FALSE);
    for (std::size_t i = 0; i < line.size(); ++i)
      l->setPoint(static_cast<int>(i), line[i].x(), line[i].y());
    out->addGeometryDirectly(l.release());
  }
  return out;
}

namespace {
// Collects the parts of `g` of one flat type (and multi/collection wrappers of it).
template <class Add>
bool collect(const OGRGeometry* g, OGRwkbGeometryType part, OGRwkbGeometryType multi, Add add) {
  const auto type = wkbFlatten(g->getGeometryType());
  if (type == part) {
    add(g);
    return true;
  }
  if (type != multi && type != wkbGeometryCollection) return false;
  for (const OGRGeometry* p : *g->toGeometryCollection())
    if (!collect(p, part, multi, add)) return false;
  return true;
}
}  // namespace

bool append_points(const OGRGeometry* g, MultiPoint2& out) {
  MultiPoint2 found;
  const bool ok = g && collect(g, wkbPoint, wkbMultiPoint, [&](const OGRGeometry* p) {
                    if (!p->IsEmpty())
                      found.emplace_back(p->toPoint()->getX(), p->toPoint()->getY());
                  });
  if (ok) out.insert(out.end(), found.begin(), found.end());
  return ok;
}

bool append_lines(const OGRGeometry* g, MultiLinestring2& out,
                  std::vector<std::vector<double>>* heights) {
  MultiLinestring2 found;
  std::vector<std::vector<double>> found_z;
  const bool ok = g && collect(g, wkbLineString, wkbMultiLineString, [&](const OGRGeometry* p) {
                    const OGRLineString* l = p->toLineString();
                    Linestring2 line;
                    std::vector<double> z;
                    for (int i = 0; i < l->getNumPoints(); ++i) {
                      line.emplace_back(l->getX(i), l->getY(i));
                      if (heights) z.push_back(l->getZ(i));
                    }
                    if (!line.empty()) {
                      found.push_back(std::move(line));
                      found_z.push_back(std::move(z));
                    }
                  });
  if (ok) {
    out.insert(out.end(), found.begin(), found.end());
    if (heights) heights->insert(heights->end(), found_z.begin(), found_z.end());
  }
  return ok;
}

PolygonAppend append_polygons(const OGRGeometry* g, MultiPolygon2& out) {
  PolygonAppend result;
  if (g) append(g, out, result);
  return result;
}

}  // namespace strata::io
