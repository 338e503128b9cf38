#include "strata/spatial/pipe_ground.h"

namespace strata::spatial {

std::optional<double> ground_above(const PipeNetwork& network, const PipeLink& link,
                                   const GroundModel& ground, double t, double x, double y) {
  if (network.heights == PipeHeights::kBelowGround) return 0.0;
  // A terrain given is the only ground: off the raster or on nodata the ground is unknown.
  if (ground.terrain) return ground.terrain(x, y);
  if (link.ground_start && link.ground_end)
    return *link.ground_start + t * (*link.ground_end - *link.ground_start);
  return ground.constant;
}

}  // namespace strata::spatial
