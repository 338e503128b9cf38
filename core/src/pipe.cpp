#include "strata/core/pipe.h"

#include <cmath>
#include <string>
#include <utility>

namespace strata {

std::string_view utility_name(Utility utility) {
  switch (utility) {
    case Utility::kWater:
      return "water";
    case Utility::kSewer:
      return "sewer";
    case Utility::kStorm:
      return "storm";
    case Utility::kGas:
      return "gas";
    case Utility::kPetroleum:
      return "petroleum";
    case Utility::kPower:
      return "power";
    case Utility::kTelecom:
      return "telecom";
    case Utility::kHeating:
      return "heating";
    case Utility::kOther:
      return "other";
  }
  return "other";
}

std::optional<Utility> parse_utility(std::string_view text) {
  std::string t(text);
  for (auto& c : t)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  static const std::pair<const char*, Utility> names[] = {{"water", Utility::kWater},
                                                          {"自來水", Utility::kWater},
                                                          {"給水", Utility::kWater},
                                                          {"sewer", Utility::kSewer},
                                                          {"wastewater", Utility::kSewer},
                                                          {"污水", Utility::kSewer},
                                                          {"storm", Utility::kStorm},
                                                          {"stormwater", Utility::kStorm},
                                                          {"雨水", Utility::kStorm},
                                                          {"gas", Utility::kGas},
                                                          {"natural gas", Utility::kGas},
                                                          {"瓦斯", Utility::kGas},
                                                          {"天然氣", Utility::kGas},
                                                          {"petroleum", Utility::kPetroleum},
                                                          {"oil", Utility::kPetroleum},
                                                          {"石油", Utility::kPetroleum},
                                                          {"油料", Utility::kPetroleum},
                                                          {"power", Utility::kPower},
                                                          {"electricity", Utility::kPower},
                                                          {"電力", Utility::kPower},
                                                          {"telecom", Utility::kTelecom},
                                                          {"telecommunication", Utility::kTelecom},
                                                          {"電信", Utility::kTelecom},
                                                          {"heating", Utility::kHeating},
                                                          {"district heating", Utility::kHeating},
                                                          {"other", Utility::kOther},
                                                          {"其他", Utility::kOther}};
  for (const auto& [name, utility] : names)
    if (t == name) return utility;
  return std::nullopt;
}

double planar_length(const std::vector<PipePoint>& line) {
  double l = 0;
  for (std::size_t i = 1; i < line.size(); ++i)
    l += std::hypot(line[i][0] - line[i - 1][0], line[i][1] - line[i - 1][1]);
  return l;
}

double length_3d(const std::vector<PipePoint>& line) {
  double l = 0;
  for (std::size_t i = 1; i < line.size(); ++i) {
    const double dx = line[i][0] - line[i - 1][0], dy = line[i][1] - line[i - 1][1],
                 dz = line[i][2] - line[i - 1][2];
    l += std::sqrt(dx * dx + dy * dy + dz * dz);
  }
  return l;
}

}  // namespace strata
