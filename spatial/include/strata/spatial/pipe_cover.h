#pragma once
// Cover depth (docs/pipes.md): where a pipe lies shallower than the rule for its utility allows,
// or reaches above the ground. Cover is the ground's height above the pipe's top.
#include <optional>
#include <string>
#include <vector>

#include "strata/core/pipe.h"
#include "strata/io/pipe_rules.h"
#include "strata/spatial/pipe_ground.h"

namespace strata::spatial {

struct CoverOptions {
  double unit_m = 1.0;  // metres per horizontal unit of the coordinates
  double step_m = 1.0;  // the ground is sampled at the vertices and at least this often
  GroundModel ground;
};

enum class CoverKind { kShallow, kAboveGround };  // below the rule; top above the ground
const char* cover_kind_name(CoverKind kind);      // "shallow", "above ground"

struct CoverFinding {
  std::size_t network = 0;
  const PipeLink* pipe = nullptr;
  CoverKind kind = CoverKind::kShallow;
  double from_m = 0, to_m = 0;   // along the pipe (planar, from its first vertex)
  double min_cover_m = 0;        // the least cover over the stretch (negative: above ground)
  std::optional<double> rule_m;  // the utility's min_cover_m
  PipePoint location{};          // the axis where the cover is least
  double ground_z = 0;
};

struct CoverSummary {
  std::int64_t pipes_checked = 0;
  double length_checked_m = 0;
  double length_shallow_m = 0, length_above_ground_m = 0;
};

struct CoverResult {
  std::vector<CoverFinding> findings;  // by network, pipe id, position
  CoverSummary summary;
  std::vector<std::string> without_ground;  // pipes (some station without a ground): not checked
  std::vector<std::string> without_rule;    // utilities with no min_cover_m: only above-ground
};

CoverResult check_cover(const std::vector<const PipeNetwork*>& networks, const io::PipeRules& rules,
                        const CoverOptions& options);

}  // namespace strata::spatial
