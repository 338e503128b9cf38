#pragma once
// The 3D building-ownership model: legal spaces (one prism per registered unit and storey)
// built from the registry and the buildings' footprints, and the cadastral checks (8xx) that
// the land bureau runs before publishing it. Codes and rules: docs/validation.md, "8xx".
#include <map>
#include <string>
#include <vector>

#include "strata/core/crs.h"
#include "strata/core/ladm.h"
#include "strata/core/validation_finding.h"
#include "strata/io/store.h"

namespace strata::spatial {

// A physical building as far as the ownership model needs it: its footprint, ground height
// and height, and how many storeys that makes.
struct BuildingBlock {
  std::string id;
  MultiPolygon2 footprint;
  double base = 0, height = 0;
  int storeys = 1;  // above ground
};

struct OwnershipOptions {
  double storey_height = 3.0;    // m, also the rule for storeys = round(height / storey_height)
  double area_tolerance = 0.05;  // relative difference allowed between computed and registered area
  double overlap_tolerance = 0.01;  // m: overlaps thinner than this are not reported
  // Metres per horizontal unit of the footprints' CRS (US feet: 0.3048006096): areas are
  // compared and reported in m², depths in m. Heights are metres.
  double unit_m = 1.0;
  // The day the legal checks (806-808) look at, "YYYY-MM-DD"; empty = the current rights
  // (those without an end of lifespan).
  std::string as_of;
};

// Storeys of a building of this height: round(height / storey_height), at least 1.
int storeys_for(double height, double storey_height);

// Creates the legal spaces of every BAUnit: its own outline if registered, otherwise (main
// units only) its building's footprint, on each of its floors. Floor f >= 1 spans
// base + (f-1)h .. base + fh; basement -k spans base - kh .. base - (k-1)h. Common parts and
// annexes without an outline get no volume (they are shares of the building's common space).
void build_legal_spaces(OwnershipModel& model,
                        const std::map<std::string, BuildingBlock>& buildings,
                        const OwnershipOptions& options);

// The 8xx checks; findings carry the BAUnit (or party) id in object_id.
std::vector<ValidationFinding> check_ownership(
    const OwnershipModel& model, const std::map<std::string, BuildingBlock>& buildings,
    const OwnershipOptions& options);

// The land under each building, from the project store: the parcels and zoning units its
// footprint overlaps (with the overlapping area), for the links Parcel <- unit -> PlanUnit.
struct LandLink {
  std::string layer, id;
  double overlap_m2 = 0;
};
struct BuildingLand {
  std::vector<LandLink> parcels, zones;
};

// Links every building to the store's parcel and zoning layers and runs 803: a building's
// footprint must lie within the parcels its units are registered on ("<地段> <地號>" = the
// parcel id). Footprints in `footprint_crs` are reprojected to the store's CRS when they differ.
std::vector<ValidationFinding> check_land(const OwnershipModel& model,
                                          const std::map<std::string, BuildingBlock>& buildings,
                                          const Crs& footprint_crs, io::Store& store,
                                          const OwnershipOptions& options,
                                          std::map<std::string, BuildingLand>& land);

// `units generate`: without a registry, one generated main unit per storey of each building
// ("<building>/F<n>"), covering its footprint; no parties, no rights.
OwnershipModel generate_units(const std::map<std::string, BuildingBlock>& buildings,
                              const OwnershipOptions& options);

}  // namespace strata::spatial
