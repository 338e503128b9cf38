#pragma once
// The 3D ownership model in memory for queries: buildings and legal-space units as prisms
// (outline x height range) in a 3D R-tree, read from the CityJSON written by `units build`.
// Answers "what is at X Y Z", units of a party, units over a parcel, volume and floor area per
// registered unit (BAUnit).
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "strata/core/city_object.h"
#include "strata/core/geometry.h"

namespace strata::spatial {

struct IndexedVolume {
  std::string id, type;   // "Building", "BuildingPart", "BuildingStorey" or "BuildingUnit"
  std::string building;   // the unit's building (its own id for a building)
  MultiPolygon2 outline;  // footprint of the prism
  double z_bottom = 0, z_top = 0;
  std::string attributes_json;  // as stored in the model
  // False for a registered unit without a volume (a common part or annex registered without
  // an outline): listed by volumes() for the registry queries, never found in space.
  bool has_volume = true;
};

class UnitIndex {
 public:
  // Buildings, storeys and units with a solid geometry; a solid's outline is its lowest face.
  // Units without any geometry are kept (has_volume false) but not indexed.
  explicit UnitIndex(std::vector<CityObject> objects);
  ~UnitIndex();

  // Volumes containing the point (outline covers x, y and z within the height range).
  std::vector<const IndexedVolume*> at(double x, double y, double z) const;
  const std::vector<IndexedVolume>& volumes() const { return volumes_; }
  // Volumes whose outline overlaps `land` with a positive area: what stands above (or lies
  // below) a parcel, whatever the registry says.
  std::vector<const IndexedVolume*> over(const MultiPolygon2& land) const;

  // Prism of a city object's first solid: lowest face as outline, z range. Nothing when the
  // object has no solid.
  static std::optional<IndexedVolume> prism_of(const CityObject& object);

 private:
  struct Tree;
  std::vector<IndexedVolume> volumes_;
  std::unique_ptr<Tree> tree_;
};

}  // namespace strata::spatial
