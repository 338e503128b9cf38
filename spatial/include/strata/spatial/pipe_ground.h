#pragma once
// The ground above a pipe, from which the excavation and cover analyses measure depths
// (docs/pipes.md, "Ground").
#include <optional>

#include "strata/core/pipe.h"
#include "strata/io/pipe_layer.h"

namespace strata::spatial {

struct GroundModel {
  io::GroundAt terrain;            // a terrain model (DEM) in the networks' x, y
  std::optional<double> constant;  // a flat ground elevation
};

// Ground elevation above the point at (x, y), a fraction t (by planar distance) along the link.
// In order: 0 for a network whose heights are below a flat ground at 0; the terrain (alone:
// off it the ground is unknown); the link's own ground at both ends (SWMM rims), interpolated;
// the constant. Nothing when none applies.
std::optional<double> ground_above(const PipeNetwork& network, const PipeLink& link,
                                   const GroundModel& ground, double t, double x, double y);

}  // namespace strata::spatial
