#pragma once
// The export plugin API. A plugin has a stable dotted name ("writers.cityjson"), says what it
// writes, and runs on a store. Personal data (party names, identity numbers) is only passed to
// a plugin when the request asks for the bureau profile.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "strata/io/store.h"

namespace strata::plugins {

struct ExportRequest {
  io::Store* store = nullptr;
  std::filesystem::path output;     // file or folder, as the plugin documents
  std::vector<std::string> layers;  // empty: all layers
  bool bureau_profile = false;      // include personal data
};

class ExportPlugin {
 public:
  virtual ~ExportPlugin() = default;
  virtual std::string name() const = 0;  // stable dotted name
  virtual std::string description() const = 0;
  virtual void run(const ExportRequest& request) = 0;  // throws StrataError on failure
};

class PluginRegistry {
 public:
  static PluginRegistry& instance();
  void add(std::unique_ptr<ExportPlugin> plugin);  // throws on a duplicate name
  ExportPlugin* find(const std::string& name) const;
  std::vector<std::string> names() const;

 private:
  std::vector<std::unique_ptr<ExportPlugin>> plugins_;
};

}  // namespace strata::plugins
