#pragma once
// Validation of whole city objects: every geometry (geometry_validation.h) and, per building,
// the overlap of its parts and of its solids of one LoD (601). Objects are validated in
// batches on several threads; a building's report is released once the building and all its
// parts have been seen and compared, so memory stays bounded on CityJSONSeq streams.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "strata/core/city_object.h"
#include "strata/spatial/geometry_validation.h"

namespace strata::spatial {

struct ObjectValidation {
  std::string id, type;
  int geometries = 0;
  std::vector<ValidationFinding> findings;
  bool valid() const { return findings.empty(); }
};

struct ValidationStats {
  std::int64_t objects = 0;
  std::int64_t solids = 0;           // solids checked (a MultiSolid counts each of its solids)
  std::int64_t part_pair_tests = 0;  // 601 overlap tests between solids of one building
  double part_pair_seconds = 0;      // time spent in them, summed over threads (CPU-bound)
};

class CityModelValidator {
 public:
  using Sink = std::function<void(ObjectValidation&&)>;

  // `sink` receives every object's report, in completion order (buildings after their parts).
  // `threads` = 0 uses every core.
  CityModelValidator(ValidationTolerances tolerances, Sink sink, unsigned threads = 0);
  ~CityModelValidator();
  CityModelValidator(const CityModelValidator&) = delete;
  CityModelValidator& operator=(const CityModelValidator&) = delete;

  void add(CityObject&& object);
  // Validates what is still queued, runs the remaining building-level tests, reports all.
  void finish();
  const ValidationStats& stats() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace strata::spatial
