#pragma once
// Population per district, summed from its villages, next to the population the district layer
// itself carries (when it was joined to a table). Villages are assigned to a district by their
// parent code, or, where they have none, by the district that covers their centroid.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "strata/io/store.h"

namespace strata::spatial {

struct DistrictPopulation {
  std::string layer, id, name, code;
  std::string vintage;                         // of the district's own population figures
  std::optional<std::int64_t> own_population;  // from the district layer itself
  std::int64_t villages_population = 0;
  std::int64_t villages_households = 0;
  int villages = 0;
  int villages_without_population = 0;
};

struct PopulationByDistrict {
  std::vector<DistrictPopulation> districts;
  std::int64_t total_population = 0;  // sum over villages assigned to a district
  std::vector<std::string> unassigned_villages;
  nlohmann::json to_json() const;
};

// The district each village belongs to (index into `districts`): the district whose code is the
// village's parent code, or else the one covering the village's centroid; nothing when none.
std::vector<std::optional<std::size_t>> assign_villages(const std::vector<Record>& districts,
                                                        const std::vector<Record>& villages);

// Uses the district and village layers named in `layers` (all such layers of the store when
// empty). Throws StrataError(kWrongInputParameters) when there is no district layer to report on.
PopulationByDistrict population_by_district(io::Store& store,
                                            const std::vector<std::string>& layers = {});

}  // namespace strata::spatial
