#pragma once
// One export: gather the model (store, result GeoPackages, pipe networks) under a privacy
// profile and hand it to an export plugin. Shared by `strata export` and `strata run`.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "strata/core/error.h"
#include "strata/engine/job_result.h"
#include "strata/engine/project_pipes.h"
#include "strata/io/project_file.h"
#include "strata/io/store.h"
#include "strata/plugins/registry.h"

namespace strata::engine {

struct ExportJob {
  std::string to;                // plugin name
  std::filesystem::path output;  // file or folder
  plugins::PrivacyProfile profile = plugins::PrivacyProfile::kPlanner;
  std::vector<std::string> layers;             // store layers; empty = all
  std::vector<std::string> allow_attributes;   // source attributes allowed out (privacy.h)
  std::map<std::string, std::string> options;  // name -> value (checked by the plugin schema)
  std::vector<std::filesystem::path> results;  // result GeoPackages to add
  bool pipes = true;                           // the project's pipe networks
  // The project's networks already read (several exports of one run share them); null: read
  // them when needed.
  const std::vector<ProjectNetwork>* networks = nullptr;
  std::string title;
};

// The registry with the built-in writers and the plugins of `directories` (and
// STRATA_PLUGIN_PATH).
plugins::PluginRegistry load_plugins(const std::vector<std::filesystem::path>& directories);

// Throws StrataError(903) for an unknown profile, naming the allowed ones.
plugins::PrivacyProfile profile_arg(const std::string& text);

// The result GeoPackages a project's analyses write (indicators.gpkg, pipes/<analysis>.gpkg), as
// found in its output folder: never a file of an analysis the project no longer names.
std::vector<std::filesystem::path> project_results(const io::Project& project);

// Runs the job; `project` (may be null) supplies the pipe networks. Without a store (null) the
// model is the result GeoPackages alone, in the CRS of the first. Throws StrataError: 903 for
// an unknown plugin or option, 981 when the plugin fails. Returns what was written.
nlohmann::json run_export(const plugins::PluginRegistry& registry, io::Store* store,
                          const io::Project* project, const ExportJob& job);

// The project's [[exports]], each run even when another fails (its error is recorded with its
// code); `failed` is set to the first failure's code. Plugin directories: [plugins] paths.
// `results`: the result GeoPackages this run wrote (exports with `results = true` take them);
// the pipe networks come through `cache`.
nlohmann::json run_project_exports(const io::Project& project, io::Store& store,
                                   const std::vector<std::filesystem::path>& results,
                                   InputCache* cache, std::string& text,
                                   std::optional<ErrorCode>& failed);

// `strata export` as a job: the store (or a project: its store, results and networks) with one
// plugin, or without `to` a project's [[exports]].
struct ExportOptions {
  std::string target;  // store (.gpkg) or project (.toml); "" = the results alone
  std::string to;      // plugin; "" = the project's [[exports]]
  std::string out;     // file or folder; "" = <output>/exports/<name> of a project
  std::string profile = "planner";
  std::vector<std::string> options;  // plugin options NAME=VALUE
  std::vector<std::string> layers, results, plugin_dirs, allow_attributes;
  bool no_results = false, no_pipes = false;
};
// Runs it. The result lists what was written and the plugins that did not load
// ("plugin_failures", 980); `failure` is the first failed [[exports]]'s code.
JobResult run_export_job(const ExportOptions& options);

// "writers.gpkg" -> "<output>/exports/gpkg.gpkg": the default file of an export without a path.
std::filesystem::path default_export_path(const std::filesystem::path& folder,
                                          const plugins::ExportPlugin& plugin);

}  // namespace strata::engine
