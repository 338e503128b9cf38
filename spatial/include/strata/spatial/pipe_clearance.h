#pragma once
// Clash and clearance between two pipe networks (DESIGN §7): pipes as capsules (centreline
// segments + radius); the clearance of two pipes is the distance between their centrelines less
// both radii. Rules per utility pair: docs/pipes.md.
#include <optional>
#include <string>
#include <vector>

#include "strata/core/pipe.h"
#include "strata/io/pipe_rules.h"

namespace strata::spatial {

struct ClearanceFinding {
  std::string a, b;  // link ids, in network a and network b
  Utility utility_a = Utility::kOther, utility_b = Utility::kOther;
  double axis_distance_m = 0;  // closest approach of the two centrelines
  double clearance_m = 0;      // axis distance − radius a − radius b; <= 0: the pipes touch
  std::optional<double> required_m;  // the rule for the pair, if any
  bool clash = false;                // clearance <= 0
  PipePoint location{};              // halfway between the closest points (network units)
  std::vector<std::string> assumed;  // "a diameter", "b depth", ...: values a rule supplied
};

struct ClearanceOptions {
  // Metres per horizontal unit of the networks' coordinates (heights are metres already).
  double unit_m = 1.0;
  int threads = 0;  // 0 = every core; the findings do not depend on it
  // a and b are one network: each pair once, and pipes that share a node (by id, or an end
  // point within a millimetre) are not compared: they meet by design.
  bool same_network = false;
};

// Every pair of pipes (one from each network) that clash, or whose clearance is below the rule
// for their utilities; one finding per pair, at their closest approach, sorted by (a, b).
std::vector<ClearanceFinding> check_clearance(const PipeNetwork& a, const PipeNetwork& b,
                                              const io::PipeRules& rules,
                                              const ClearanceOptions& options = {});

// Closest points of two 3D segments [p0, p1] and [q0, q1]; returns the distance.
double segment_distance(const PipePoint& p0, const PipePoint& p1, const PipePoint& q0,
                        const PipePoint& q1, PipePoint& on_p, PipePoint& on_q);

}  // namespace strata::spatial
