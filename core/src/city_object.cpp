#include "strata/core/city_object.h"

namespace strata {

std::string_view geometry_type_name(CityGeometryType type) {
  switch (type) {
    case CityGeometryType::kMultiSurface:
      return "MultiSurface";
    case CityGeometryType::kCompositeSurface:
      return "CompositeSurface";
    case CityGeometryType::kSolid:
      return "Solid";
    case CityGeometryType::kMultiSolid:
      return "MultiSolid";
    case CityGeometryType::kCompositeSolid:
      return "CompositeSolid";
  }
  return "?";
}

}  // namespace strata
