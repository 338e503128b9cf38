#pragma once
// The project file (TOML): project CRS and store, the tables and layers to ingest with their
// field mappings, the analyses to run and the outputs to write. Format: docs/project-file.md.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "strata/core/indicator_catalogue.h"

namespace strata::io {

struct TableLookupSpec {
  std::string table;  // another [[tables]] entry
  std::string on;     // column present in both
};

struct TableSpec {
  std::string name;
  std::filesystem::path path;
  std::string encoding;
  std::string vintage, source;
  std::optional<TableLookupSpec> lookup;
  std::map<std::string, std::string> filter;  // column -> required value (after the lookup)
  int line = 0;
};

enum class JoinMultiple { kError, kSum };

struct JoinSpec {
  std::string table;
  std::vector<std::string> feature_keys;  // source fields of the layer
  std::vector<std::string> table_keys;    // columns of the table, same count
  JoinMultiple multiple = JoinMultiple::kError;
  std::optional<std::filesystem::path> normalise;          // CSV: variant,canonical
  std::map<std::string, std::vector<std::string>> fields;  // canonical -> table columns (summed)
  int line = 0;
};

struct LayerSpec {
  std::string name;  // store layer name: [a-z][a-z0-9_]*
  std::string kind;  // see kind_schema.h
  std::filesystem::path path;
  std::string layer;               // inside the dataset; empty = its only layer
  std::optional<std::string> crs;  // override of the declared CRS
  std::string encoding;
  std::vector<std::string> open_options;
  std::map<std::string, std::vector<std::string>> fields;  // canonical -> source fields (summed)
  std::optional<JoinSpec> join;
  // Source fields given one fixed value on every feature, as if the file had them (a district
  // name for a plan area, say): usable in fields, join keys and dissolve.
  std::map<std::string, std::string> add_fields;
  // Source field whose equal values merge features into one (their union): statistical areas
  // into their district. Empty = no dissolve. The merged feature's id is the value.
  std::string dissolve;
  std::string vintage, source;
  int line = 0;
  int crs_line = 0;
};

// [indicators]: which store layers the urban indicators are computed from
// (docs/indicators.md).
//
// A layer taking part in an indicator, whole or only some of its features: those whose
// canonical text `field` holds one of `values` (the park classes of a zoning layer), or whose
// numeric `field` lies in [min, max] (trees planted in 2018).
struct LayerSelection {
  std::string layer;
  std::string field;
  std::vector<std::string> values;
  std::optional<double> min, max;
  int line = 0;
};

struct IndicatorSpec {
  std::string districts;   // a layer of kind district
  std::string population;  // the district layer (its own field) or a village layer
  std::string breakdown;   // a village layer: the same values per village too (empty: none)
  // The layers of each indicator (core/indicator_catalogue.h), by its key; indicators not
  // named are absent.
  std::map<std::string, std::vector<LayerSelection>> groups;
  // The indicators' own keys given (paving_target_m2, households_as_of, title_rights).
  IndicatorParameters parameters;
  // `compute`: the indicators to compute, by key or ISO 37120 number (2018 or 2014
  // numbering, e.g. "21.1" or "2014:19.1"); empty = every indicator that names layers.
  std::vector<std::string> compute;
  std::vector<std::string> outputs;  // json, csv, markdown, gpkg
  int line = 0;

  const std::vector<LayerSelection>* group(const std::string& key) const {
    auto it = groups.find(key);
    return it == groups.end() ? nullptr : &it->second;
  }
  // A parameter's value, or its default (title_rights).
  std::optional<double> number(const std::string& parameter) const;
  std::string text(const std::string& parameter) const;
  std::vector<std::string> list(const std::string& parameter) const;
};

// The indicator outputs this version writes.
const std::vector<std::string>& known_indicator_outputs();

// [pipes]: pipe networks and the pipe analyses `strata run` performs (docs/pipes.md). Each
// analysis is a `strata pipes <kind>` command whose options are the table's keys (id_field ->
// --id-field); paths are resolved against the project file.
struct PipeNetworkSpec {
  std::string name;
  std::filesystem::path file;
  std::vector<std::pair<std::string, std::string>> options;  // key (with _), value
  int line = 0;
};
struct PipeAnalysisSpec {
  std::string name, kind;  // kind: clearance, excavation, cover, detection, isolate, buildings,
                           // parcels
  std::vector<std::string> networks;
  std::vector<std::pair<std::string, std::string>> options;  // lists repeated
  int line = 0;
};
struct PipesSpec {
  std::vector<std::pair<std::string, std::string>> settings;  // rules, crs, dem, ground_z
  std::vector<PipeNetworkSpec> networks;
  std::vector<PipeAnalysisSpec> analyses;
  int line = 0;
};
const std::vector<std::string>& known_pipe_analyses();

// [[exports]]: what `strata run` hands to export plugins after the analyses (docs/export.md).
// The plugin, its options and the profile are checked by the run, against the plugins it finds.
struct ExportSpec {
  std::string to;              // plugin name, e.g. "writers.gpkg"
  std::filesystem::path path;  // resolved against the output folder; empty = default name
  std::string profile = "planner";
  std::vector<std::string> layers;  // store layers; empty = all
  // Source attributes allowed out under a non-bureau profile (docs/export.md, privacy).
  std::vector<std::string> allow_attributes;
  std::map<std::string, std::string> options;  // as text ("true", "0.001", ...)
  bool results = true;  // the analyses' result GeoPackages (indicators, pipe findings)
  bool pipes = true;    // the [pipes] networks
  int line = 0;
};

// [units]: the 3D ownership model `strata run` builds (analysis "units"): `units build` with a
// registry, `units generate` without; the model is saved into the store.
struct UnitsSpec {
  std::filesystem::path footprints, registry;                // resolved
  std::vector<std::pair<std::string, std::string>> options;  // other keys (with _), as given
  int line = 0;
};

// [report]: the maps and 3D views of the HTML report (outputs "maps" and "report").
struct ReportSpec {
  std::string title;                 // default: the project's name
  std::vector<std::string> maps;     // indicator keys mapped; empty = every rate indicator present
  std::string classes = "quantile";  // quantile | natural | equal
  int class_count = 5;
  std::string palette = "YlGn";
  bool scenes = true;  // 3D views when the store holds 3D layers
  int width = 1400, height = 1000;
};

struct Project {
  std::filesystem::path file;  // the project file itself
  std::string name;
  std::string crs = "EPSG:3826";
  std::filesystem::path store;   // GeoPackage
  std::filesystem::path output;  // folder for summary.json and reports
  std::vector<TableSpec> tables;
  std::vector<LayerSpec> layers;
  std::vector<std::string> analyses;
  std::vector<std::string> outputs;
  std::optional<IndicatorSpec> indicators;
  std::optional<PipesSpec> pipes;
  std::vector<ExportSpec> exports;
  ReportSpec report;
  std::optional<UnitsSpec> units;
  std::vector<std::filesystem::path> plugin_paths;  // [plugins] paths, resolved

  const LayerSpec* find_layer(const std::string& name) const;
  const TableSpec* find_table(const std::string& name) const;
};

// Rules shared by project files and command-line imports; each returns what is wrong, if anything.
std::optional<std::string> layer_name_problem(const std::string& name);
std::optional<std::string> field_mapping_problem(const std::string& kind,
                                                 const std::string& canonical,
                                                 const std::vector<std::string>& sources);
std::optional<std::string> project_crs_problem(const std::string& crs);

// The analyses and outputs this version knows.
const std::vector<std::string>& known_analyses();
const std::vector<std::string>& known_outputs();

// Loads and validates a project file. Relative paths resolve against the file's folder;
// ${NAME} expands an environment variable. Throws StrataError(kProjectFile) with
// "file:line: what is wrong" on the first problem.
Project load_project(const std::filesystem::path& file);

}  // namespace strata::io
