#pragma once
// What every `strata pipes` analysis reads: networks (.inp files or GIS line layers with their
// field mapping), the rules file and the ground (a DEM or a constant), with their options.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "strata/core/feature_issue.h"
#include "strata/core/pipe.h"
#include "strata/engine/option_schema.h"
#include "strata/io/json_report.h"
#include "strata/io/pipe_layer.h"
#include "strata/io/pipe_rules.h"
#include "strata/io/terrain_raster.h"
#include "strata/io/vector_source.h"
#include "strata/spatial/pipe_ground.h"

namespace strata::engine {

// One network: a .inp file or a GIS line layer with its field mapping.
struct NetworkOptions {
  std::string file, layer, utility, id_field, utility_field, diameter_field, depth_field,
      owner_field, material_field, year_field, invert_fields;
  std::string diameter_unit = "m";
  std::string heights = "cover";  // cover | z | invert-z | inverts
};
// Its options (all but the file): --utility, ... on the command line ("--a-utility" for
// clearance's first network), the keys of [[pipes.networks]] in a project file.
const OptionSchema<NetworkOptions>& network_option_schema();

// Rules, ground and CRS options shared by the analyses.
struct PipeSettings {
  std::string rules, crs, dem;
  std::optional<double> ground_z;
};
// With `ground`, --dem and --ground-z too (the analyses that measure depths).
const OptionSchema<PipeSettings>& settings_option_schema(bool ground);

struct LoadedNetwork {
  std::string file;
  PipeNetwork network;
  std::vector<FeatureIssue> issues;
  std::optional<std::string> crs;
};

// Everything read, checked to share one horizontal CRS and one vertical reference.
struct PipeInputs {
  io::PipeRules rules;
  std::vector<LoadedNetwork> networks;
  std::optional<std::string> crs;  // the networks' CRS (authority code or label)
  double unit_m = 1.0;             // metres per horizontal unit
  spatial::GroundModel ground;
  std::shared_ptr<io::TerrainRaster> dem;
  double read_seconds = 0;
};
// What a run has read already (rules, terrain, networks), so that every analysis, export and
// map of a project shares one parse of each file. Not thread-safe: one per run.
class InputCache {
 public:
  std::size_t files_read() const { return files_read_; }

 private:
  friend PipeInputs load_pipe_inputs(const std::vector<NetworkOptions>&, const PipeSettings&, bool,
                                     InputCache*);
  std::map<std::string, LoadedNetwork> networks_;  // by file, options, ground and plan_only
  std::map<std::string, io::PipeRules> rules_;
  std::map<std::string, std::shared_ptr<io::TerrainRaster>> dems_;
  std::size_t files_read_ = 0;
};

// `plan_only`: the analysis works in plan (parcels, isolation): depths and diameters the data
// lacks are left unknown rather than taken from the rules or rejected.
PipeInputs load_pipe_inputs(const std::vector<NetworkOptions>& networks, const PipeSettings& s,
                            bool plan_only = false, InputCache* cache = nullptr);

// The features of a further layer of an analysis (valves, buildings, parcels): it must be in the
// networks' CRS when it declares one (911). Each comes with its id (`id_field`, else "feature
// N") and the indices of `fields` ("" gives -1; a named field the layer lacks is an error).
using LayerVisit = std::function<void(const std::string& id, io::SourceFeature& feature,
                                      const std::vector<int>& field_at)>;
void read_layer(const std::string& path, const std::string& id_field,
                const std::optional<std::string>& crs, const std::vector<std::string>& fields,
                const LayerVisit& visit);

nlohmann::json network_json(const LoadedNetwork& n);
// A number, or null when there is none.
inline nlohmann::json optional_json(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}
// "  rejected 921 FIELD_NULL: ..." lines for the text output.
std::string issue_lines(const std::vector<LoadedNetwork>& networks);
// Whether a network was read around a problem (a feature rejected or repaired): --strict fails
// the analysis then.
bool has_issues(const std::vector<LoadedNetwork>& networks);

}  // namespace strata::engine
