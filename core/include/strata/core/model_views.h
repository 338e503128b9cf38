#pragma once
// Typed views of stored records for the kinds this release reasons about (DESIGN §2).
#include <optional>
#include <string>

#include "strata/core/record.h"

namespace strata {

enum class AdminLevel { kDistrict, kVillage };

struct District {  // also used for villages (level tells which)
  std::string id, name, code, parent_code, parent_name;
  AdminLevel level = AdminLevel::kDistrict;
  std::optional<std::int64_t> population, households;
  std::string vintage;  // of the population figures
  double area_m2 = 0;
  static District from(const Record& record);
};

struct PlanUnit {
  std::string id, zone_code, zone_class, zone_name, plan_code, plan_name;
  std::optional<double> bcr, far;  // percent
  double area_m2 = 0;
  static PlanUnit from(const Record& record);
};

struct Parcel {
  std::string id, section, number, owner_class, manager;
  std::optional<double> registered_area_m2;
  double area_m2 = 0;
  static Parcel from(const Record& record);
};

}  // namespace strata
