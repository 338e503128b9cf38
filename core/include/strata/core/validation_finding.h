#pragma once
// One error found by geometric or cadastral validation (`strata validate`), in val3dity's
// vocabulary: the code, the city object, and the element path down to the ring, so a user can
// find the exact polygon in their file.
#include <optional>
#include <string>

#include "strata/core/city_object.h"
#include "strata/core/error.h"

namespace strata {

struct ValidationFinding {
  ErrorCode code = ErrorCode::kInternal;
  std::string object_id;  // city object id ("" for a bare geometry file such as .poly)
  int geometry = -1;      // index of the geometry in the object
  // Element path inside the geometry; -1 where it does not apply.
  int solid = -1, shell = -1, face = -1, ring = -1;
  std::string detail;  // what is wrong, in words, with ids/values where useful
  std::optional<Point3> location;
};

}  // namespace strata
