#include "strata/spatial/point_query.h"

#include <algorithm>
#include <boost/geometry/algorithms/covered_by.hpp>

#include "strata/core/error.h"

namespace strata::spatial {

std::vector<PointHit> features_at(io::Store& store, const std::vector<std::string>& kinds,
                                  const Point2& point) {
  std::vector<PointHit> hits;
  // A tiny box around the point: the GeoPackage R-tree then returns only nearby candidates.
  const double eps = 1e-6;
  Box2 probe(Point2(point.x() - eps, point.y() - eps), Point2(point.x() + eps, point.y() + eps));
  for (const auto& layer : store.layers()) {
    if (std::find(kinds.begin(), kinds.end(), layer.provenance.kind) == kinds.end()) continue;
    store.for_each_record(layer.provenance.layer, probe, [&](const Record& r) {
      if (boost::geometry::covered_by(point, r.geometry))
        hits.push_back({layer.provenance.layer, r});
      return true;
    });
  }
  return hits;
}

Point2 to_store_crs(const io::Store& store, const Crs& from, double x, double y) {
  Transformer t(from, store.crs());
  if (!t.transform(x, y)) {
    throw StrataError(ErrorCode::kReprojectionFailed, "the point cannot be transformed from " +
                                                          from.label() + " to the store CRS " +
                                                          store.crs().label());
  }
  return Point2(x, y);
}

}  // namespace strata::spatial
