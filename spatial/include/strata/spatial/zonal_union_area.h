#pragma once
// Area of the union of polygons inside each zone: the kernel of the area indicators (green area
// per district, permeable paving). Overlapping polygons count once; parts outside a zone drop out.
//
// Why a kernel of its own: the natural SQL (ST_Union of ST_Intersection per district) clips
// every polygon against the whole district boundary and dissolves hundreds of thousands of
// pieces in one union. Here each zone is cut into a quadtree of tiles holding few polygons; each
// tile unions only its own clipped polygons and meets the zone's boundary only where the tile
// does. Tiles are disjoint, so the zone's area is the sum of its tiles' areas, summed in a fixed
// order: the result does not depend on the number of threads.
#include <cstddef>
#include <utility>
#include <vector>

#include "strata/core/geometry.h"
#include "strata/core/wkb_batch.h"

namespace strata::spatial {

struct ZonalAreaOptions {
  int threads = 0;                         // 0 = every hardware thread
  std::size_t max_polygons_per_tile = 24;  // a tile holding more is split in four
  int max_depth = 12;            // ... unless it is this deep already (zone extent / 4096)
  bool measure_outside = false;  // also measure what lies outside every zone (result.outside)
};

struct ZonalAreaResult {
  std::vector<double> area;   // per zone, in the CRS's square units
  double outside = 0;         // union area outside every zone (with measure_outside)
  std::size_t tiles = 0;      // leaf tiles processed
  std::size_t clipped = 0;    // polygon pieces clipped to a tile
  std::size_t fallbacks = 0;  // tiles redone with the robust overlay (a clipped piece refused)
  std::size_t reclipped = 0;  // clips redone with the robust overlay (areas did not add up)
};

// The polygons to measure: Boost.Geometry polygons, WKB (the store's bulk read), or both. They
// must be valid and may overlap each other freely.
struct ZonalPolygons {
  ZonalPolygons() = default;
  ZonalPolygons(std::vector<MultiPolygon2> p) : polygons(std::move(p)) {}  // NOLINT: implicit
  std::vector<MultiPolygon2> polygons;
  WkbBatch wkb;
  std::size_t size() const { return polygons.size() + wkb.size(); }
};

// `zones` must be valid polygons and should not overlap each other (a polygon in two overlapping
// zones counts in both). The input is taken by value and released as soon as it is converted
// (move it in: at a million polygons, holding them twice doubles the memory).
ZonalAreaResult union_area_by_zone(const std::vector<MultiPolygon2>& zones, ZonalPolygons input,
                                   const ZonalAreaOptions& options = {});

// Pairs of zones overlapping by more than `min_area` (square units), with the overlap's area.
struct ZoneOverlap {
  std::size_t a = 0, b = 0;
  double area = 0;
};
std::vector<ZoneOverlap> zone_overlaps(const std::vector<MultiPolygon2>& zones, double min_area);

}  // namespace strata::spatial
