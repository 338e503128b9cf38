#pragma once
// Pipes through land (docs/pipes.md): every parcel a pipe crosses, and whether it may: the
// parcel is held by the pipe's owner, or by an owner whose land pipes may use (road land of the
// state or city), or carries a registered restriction (an easement, a superficies) held by the
// pipe's owner and in force.
#include <optional>
#include <string>
#include <vector>

#include "strata/core/geometry.h"
#include "strata/core/pipe.h"

namespace strata::spatial {

struct LandParcel {
  std::string id;
  std::vector<std::string> owners;  // empty: not known
  MultiPolygon2 outline;            // in the networks' units
};

struct LandRestriction {
  std::string parcel, type, holder;
  std::string valid_from, valid_to;  // ISO dates; empty: open
};

struct ParcelOptions {
  double unit_m = 1.0;
  double min_length_m = 0.5;  // shorter crossings (a pipe along a boundary) are not findings
  std::vector<std::string> easement_types;  // restriction types that let a pipe through
  std::vector<std::string> allowed_owners;  // land any pipe may use (roads of the state, ...)
  std::string utility_owner;                // the owner of pipes whose own owner is unknown
  std::string as_of;  // ISO date for the restrictions in force; empty: today's rights
};

enum class CrossingStatus {
  kHeld,          // the parcel is (also) the pipe owner's
  kAllowed,       // an allowed owner's
  kEasement,      // a restriction of an easement type held by the pipe's owner, in force
  kNoEasement,    // none of these: a finding
  kOwnerUnknown,  // the pipe's owner is not known: cannot be judged
};
const char* crossing_status_name(CrossingStatus status);

struct ParcelCrossing {
  std::size_t network = 0;
  const PipeLink* pipe = nullptr;
  const LandParcel* parcel = nullptr;
  double length_m = 0;  // of the pipe's axis within the parcel
  CrossingStatus status = CrossingStatus::kNoEasement;
  std::string restriction;  // the easement's type, for kEasement
  PipePoint location{};     // middle of the longest piece within the parcel
};

// Crossings sorted by network, pipe id, parcel id.
std::vector<ParcelCrossing> check_parcel_crossings(const std::vector<const PipeNetwork*>& networks,
                                                   const std::vector<LandParcel>& parcels,
                                                   const std::vector<LandRestriction>& restrictions,
                                                   const ParcelOptions& options);

}  // namespace strata::spatial
