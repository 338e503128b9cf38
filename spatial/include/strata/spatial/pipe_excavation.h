#pragma once
// Excavation impact (docs/pipes.md): which pipes a dig reaches, at what depth, and whose they
// are. A dig is a polygon with a depth range below the ground; a safety margin widens it
// sideways and deepens its floor. A pipe is hit where its capsule (axis + radius) enters that
// volume.
#include <optional>
#include <string>
#include <vector>

#include "strata/core/geometry.h"
#include "strata/core/pipe.h"
#include "strata/spatial/pipe_ground.h"

namespace strata::spatial {

struct Dig {
  std::string id;
  MultiPolygon2 outline;  // in the networks' x, y
  double top_m = 0;       // depth of its top below the ground (0: dug from the surface)
  double bottom_m = 0;    // depth of its floor below the ground
};

struct ExcavationOptions {
  double unit_m = 1.0;  // metres per horizontal unit of the coordinates
  double buffer_m = 0;  // safety margin: sideways, and below the floor
  GroundModel ground;
  int threads = 0;  // 0 = every core; the findings do not depend on it
};

enum class DigStatus {
  kHit,    // the pipe enters the dig (with its margin)
  kBelow,  // it passes under the dig's floor (+ margin)
  kAbove,  // it passes over the dig's top (a dig that starts below the surface)
};
const char* dig_status_name(DigStatus status);  // "hit", "below", "above"

struct ExcavationFinding {
  std::string dig;
  std::size_t network = 0;  // index into the networks given
  const PipeLink* pipe = nullptr;
  DigStatus status = DigStatus::kHit;
  double length_in_zone_m = 0;  // horizontal length within the outline + margin + radius
  double hit_length_m = 0;      // of which within the depth range (hit only)
  // Cover (ground to the pipe's top) over the hit stretch for a hit, over the stretch in the
  // zone otherwise.
  double cover_min_m = 0, cover_max_m = 0;
  double gap_m = 0;      // below/above: vertical distance to the dig's floor (+ margin) or top
  PipePoint location{};  // a hit's shallowest point (axis), else its point nearest the dig
  double ground_z = 0;   // the ground above `location`
};

struct ExcavationResult {
  std::vector<ExcavationFinding> findings;  // by dig, hits first, then network and pipe id
  // Pipes under a dig whose ground is unknown (no terrain there, no constant): "dig: pipe".
  std::vector<std::string> without_ground;
};

ExcavationResult check_excavation(const std::vector<const PipeNetwork*>& networks,
                                  const std::vector<Dig>& digs, const ExcavationOptions& options);

}  // namespace strata::spatial
