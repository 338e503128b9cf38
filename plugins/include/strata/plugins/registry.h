#pragma once
// The export plugins strata knows: the built-in writers and those loaded from the plugin
// directories. A library that cannot be loaded, has no registration function, was built for
// another ABI or throws while registering is recorded as a failure (PLUGIN_LOAD, 980); the
// other plugins stay usable.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "strata/plugins/export_plugin.h"

namespace strata::plugins {

struct PluginEntry {
  std::unique_ptr<ExportPlugin> plugin;
  std::string origin;  // "built-in" or the library's path
};

struct PluginLoadFailure {
  std::string path;
  std::string message;
};

class PluginRegistry {
 public:
  // Throws StrataError(kPluginLoad) on a name already taken or not dotted.
  void add(std::unique_ptr<ExportPlugin> plugin, const std::string& origin);
  ExportPlugin* find(const std::string& name) const;
  const std::vector<PluginEntry>& entries() const { return entries_; }
  const std::vector<PluginLoadFailure>& failures() const { return failures_; }

  // Loads every "*.so" of each directory (in name order); a missing directory is a failure.
  void load_directories(const std::vector<std::filesystem::path>& directories);
  void load_library(const std::filesystem::path& library);

 private:
  std::vector<PluginEntry> entries_;
  std::vector<PluginLoadFailure> failures_;
};

// The writers compiled into strata (writers.gpkg, writers.cityjson, ...).
void register_builtin_writers(PluginRegistry& registry);

// The plugin directories: `extra` (command line, project file), then STRATA_PLUGIN_PATH
// (colon-separated).
std::vector<std::filesystem::path> plugin_directories(
    const std::vector<std::filesystem::path>& extra);

// Checks `given` (name=value) against the plugin's schema and fills in defaults. Throws
// StrataError(kWrongInputParameters) naming the plugin, the option and what was expected.
PluginOptions resolve_options(const ExportPlugin& plugin,
                              const std::map<std::string, std::string>& given);

// The schema as JSON (for `strata plugins list --json`).
nlohmann::json options_schema_json(const ExportPlugin& plugin);

// Runs the plugin; any exception becomes StrataError(kPluginFailed) naming the plugin.
ExportResult run_plugin(ExportPlugin& plugin, const ExportRequest& request);

}  // namespace strata::plugins
