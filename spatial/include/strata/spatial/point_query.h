#pragma once
// "What is at this point?": the zones, districts, villages or parcels whose polygon covers a
// point, using the store's spatial index for candidates and an exact test on each.
#include <string>
#include <vector>

#include "strata/core/crs.h"
#include "strata/core/record.h"
#include "strata/io/store.h"

namespace strata::spatial {

struct PointHit {
  std::string layer;
  Record record;
};

// `point` is in the store's CRS. Looks in every stored layer of the given kinds.
std::vector<PointHit> features_at(io::Store& store, const std::vector<std::string>& kinds,
                                  const Point2& point);

// Reprojects a point given in `from` to the store CRS. Throws StrataError when it cannot.
Point2 to_store_crs(const io::Store& store, const Crs& from, double x, double y);

}  // namespace strata::spatial
