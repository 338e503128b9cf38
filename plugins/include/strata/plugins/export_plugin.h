#pragma once
// The export plugin API (docs/plugins.md). A plugin has a stable dotted name ("writers.gpkg"),
// a description, an options schema, and writes an ExportModel to a file or folder. Built-in
// writers are compiled into strata; others are shared libraries found in the plugin
// directories, which define the two extern "C" functions at the end of this file.
//
// Everything here is header-only, so a plugin library needs strata's headers, not its
// libraries. It must be built with the same compiler and headers (STRATA_PLUGIN_ABI guards it).
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "strata/plugins/export_model.h"

// Raised whenever a type in export_model.h or this file changes shape.
#define STRATA_PLUGIN_ABI 1

namespace strata::plugins {

enum class OptionType { kString, kNumber, kBool, kChoice };

struct OptionSpec {
  std::string name;  // [a-z_]+
  OptionType type = OptionType::kString;
  std::string default_value;  // as text; "" = none
  std::string description;
  std::vector<std::string> choices;  // kChoice
};

// Option values after the engine checked them against the plugin's schema (unknown names,
// types and choices are refused before `run`), with the defaults filled in.
class PluginOptions {
 public:
  PluginOptions() = default;
  explicit PluginOptions(std::map<std::string, std::string> values) : values_(std::move(values)) {}
  std::string text(const std::string& name) const {
    auto it = values_.find(name);
    return it == values_.end() ? std::string() : it->second;
  }
  double number(const std::string& name) const {
    const std::string t = text(name);
    return t.empty() ? 0.0 : std::stod(t);
  }
  bool flag(const std::string& name) const {
    const std::string t = text(name);
    return t == "true" || t == "1" || t == "yes";
  }
  const std::map<std::string, std::string>& all() const { return values_; }

 private:
  std::map<std::string, std::string> values_;
};

struct ExportRequest {
  const ExportModel* model = nullptr;
  std::filesystem::path output;  // a file or a folder, as the plugin says (output_is_folder)
  PluginOptions options;
};

struct ExportResult {
  std::vector<std::filesystem::path> files;           // what was written
  nlohmann::json summary = nlohmann::json::object();  // counts per layer, ...
};

class ExportPlugin {
 public:
  virtual ~ExportPlugin() = default;
  virtual std::string name() const = 0;  // stable dotted name
  virtual std::string description() const = 0;
  virtual std::vector<OptionSpec> options() const { return {}; }
  virtual bool output_is_folder() const { return false; }
  virtual std::string default_extension() const { return ""; }  // ".gpkg" (files only)
  // Writes the model. Throws (std::exception) on failure; the engine reports the plugin's name
  // and message as PLUGIN_FAILED (981) and carries on with the next export.
  virtual ExportResult run(const ExportRequest& request) = 0;
};

// Handed to a plugin library's registration function (virtual, so that the library needs no
// symbol of the engine).
class PluginRegistrar {
 public:
  virtual ~PluginRegistrar() = default;
  virtual void add(std::unique_ptr<ExportPlugin> plugin) = 0;
};

}  // namespace strata::plugins

// A plugin library defines both, e.g.:
//   extern "C" int strata_plugin_abi() { return STRATA_PLUGIN_ABI; }
//   extern "C" void strata_register_plugins(strata::plugins::PluginRegistrar& r) {
//     r.add(std::make_unique<MyWriter>());
//   }
extern "C" {
using StrataPluginAbiFn = int (*)();
using StrataRegisterPluginsFn = void (*)(strata::plugins::PluginRegistrar&);
}
