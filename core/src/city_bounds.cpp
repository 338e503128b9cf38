#include "strata/core/city_bounds.h"

namespace strata {

void Bounds3::add(const CityGeometry& g) {
  for (const auto& solid : g.solids)
    for (const auto& shell : solid)
      for (const auto& surface : shell)
        for (const auto& ring : surface)
          for (const auto& p : ring) add(p);
}

}  // namespace strata
