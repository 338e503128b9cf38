#pragma once
// 3D city objects as read from CityJSON/CityGML (DESIGN §2, physical side): a Building,
// BuildingPart, BuildingStorey, BuildingUnit, ... with its geometries in real coordinates.
// Boundary surfaces are polygons of 3D points (outer ring first, then holes).
#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace strata {

using Point3 = std::array<double, 3>;
using Ring3 = std::vector<Point3>;    // not closed: the last point is not repeated
using Surface3 = std::vector<Ring3>;  // outer ring, then inner rings
using Shell3 = std::vector<Surface3>;

enum class CityGeometryType {
  kMultiSurface,
  kCompositeSurface,
  kSolid,
  kMultiSolid,
  kCompositeSolid
};

struct CityGeometry {
  CityGeometryType type = CityGeometryType::kMultiSurface;
  std::string lod;  // "1", "2.2", ...
  // Surfaces: one shell for (Multi|Composite)Surface; for solids, per solid its shells (the
  // first is the exterior), flattened: solids[s][shell] -> surfaces.
  std::vector<std::vector<Shell3>> solids;
  std::vector<std::string> semantics;  // surface type per surface, in order ("" when none)
};

struct CityObject {
  std::string id;
  std::string type;  // "Building", "BuildingPart", ...
  std::vector<std::string> parents, children;
  std::string attributes_json;  // the object's attributes, verbatim
  std::vector<CityGeometry> geometries;
  // Geometries the reader could not read, with the reason (reported by `validate` as 901).
  std::vector<std::string> dropped;
  // Rings the file left open (JSON-FG, GML repeat the first point): closed by the reader and
  // reported by `validate` as 103, one message each.
  std::vector<std::string> unclosed_rings;
};

std::string_view geometry_type_name(CityGeometryType type);

}  // namespace strata
