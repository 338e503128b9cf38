#pragma once
// Builds the ExportModel an export writes, from the project store, result GeoPackages (indicator
// tables, validation and pipe findings) and pipe networks. The privacy profile is applied here,
// once, so that no writer can leak what the profile withholds.
#include <filesystem>
#include <string>
#include <vector>

#include "strata/core/pipe.h"
#include "strata/io/store.h"
#include "strata/plugins/export_model.h"

namespace strata::plugins {

struct GatherOptions {
  PrivacyProfile profile = PrivacyProfile::kPlanner;
  std::vector<std::string> layers;  // store layers to take; empty = all
  // Source attributes the user allows out under every profile (privacy.h): exact names.
  std::vector<std::string> allow_attributes;
};

// Every layer of the store (2D records and 3D volumes) with its canonical fields, its source
// attributes (member "source_attributes") and provenance. Throws StrataError(903) on a layer
// named in `options.layers` that the store lacks.
void add_store_layers(ExportModel& model, io::Store& store, const GatherOptions& options);

// Each layer of a result GeoPackage: "indicators*" layers are indicator results, the others
// findings. Pipe findings (file under a "pipes" folder) follow the profile's pipe rule.
void add_result_layers(ExportModel& model, const std::filesystem::path& gpkg,
                       const GatherOptions& options);

// A pipe network as a layer "pipes_<name>" of 3D centrelines with their attributes.
void add_pipe_network(ExportModel& model, const std::string& name, const PipeNetwork& network,
                      const std::string& source, const GatherOptions& options);

// The class a store kind maps to ("parcel" -> kParcel, "legal_space" -> kBuildingUnit, ...).
FeatureClass class_of_kind(const std::string& kind);

}  // namespace strata::plugins
