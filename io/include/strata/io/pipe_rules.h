#pragma once
// The pipe rules file (TOML, docs/pipes.md): per utility, the depth and diameter assumed where
// the data has none, and the least cover allowed; per utility pair, the minimum clearance
// between pipes.
#include <filesystem>
#include <map>
#include <optional>
#include <utility>

#include "strata/core/pipe.h"

namespace strata::io {

struct UtilityDefaults {
  std::optional<double> depth_m;      // cover: ground to the top of the pipe
  std::optional<double> diameter_m;   // outside diameter
  std::optional<double> min_cover_m;  // the least cover allowed (pipes cover)
};

struct PipeRules {
  std::filesystem::path file;  // where the rules came from (empty: none)
  std::map<Utility, UtilityDefaults> defaults;
  std::map<std::pair<Utility, Utility>, double> clearance;  // (a, b) with a <= b

  std::optional<double> clearance_between(Utility a, Utility b) const {
    auto it = clearance.find(a <= b ? std::pair{a, b} : std::pair{b, a});
    if (it == clearance.end()) return std::nullopt;
    return it->second;
  }
};

// Throws StrataError 970 with "file:line: what is wrong" on a bad rules file.
PipeRules load_pipe_rules(const std::filesystem::path& file);

}  // namespace strata::io
