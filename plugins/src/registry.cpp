#include "strata/plugins/registry.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <regex>
#include <sstream>

#include "strata/core/error.h"

namespace strata::plugins {
namespace {

// Collects what one library registers, so that a library that throws half-way adds nothing.
class CollectingRegistrar : public PluginRegistrar {
 public:
  void add(std::unique_ptr<ExportPlugin> plugin) override {
    if (plugin) collected.push_back(std::move(plugin));
  }
  std::vector<std::unique_ptr<ExportPlugin>> collected;
};

std::string option_type_name(OptionType t) {
  switch (t) {
    case OptionType::kString:
      return "string";
    case OptionType::kNumber:
      return "number";
    case OptionType::kBool:
      return "bool";
    case OptionType::kChoice:
      return "choice";
  }
  return "string";
}

}  // namespace

void PluginRegistry::add(std::unique_ptr<ExportPlugin> plugin, const std::string& origin) {
  static const std::regex dotted("[a-z][a-z0-9_]*(\\.[a-z0-9][a-z0-9_]*)+");
  const std::string name = plugin->name();
  if (!std::regex_match(name, dotted))
    throw StrataError(ErrorCode::kPluginLoad,
                      origin + ": plugin name '" + name +
                          "' is not a dotted lower-case name such as writers.gpkg");
  for (const auto& e : entries_)
    if (e.plugin->name() == name)
      throw StrataError(ErrorCode::kPluginLoad,
                        origin + ": plugin '" + name + "' is already registered by " + e.origin);
  entries_.push_back({std::move(plugin), origin});
}

ExportPlugin* PluginRegistry::find(const std::string& name) const {
  for (const auto& e : entries_)
    if (e.plugin->name() == name) return e.plugin.get();
  return nullptr;
}

void PluginRegistry::load_directories(const std::vector<std::filesystem::path>& directories) {
  for (const auto& dir : directories) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
      failures_.push_back({dir.string(), "plugin directory does not exist"});
      continue;
    }
    std::vector<std::filesystem::path> libraries;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
      if (entry.path().extension() == ".so") libraries.push_back(entry.path());
    std::sort(libraries.begin(), libraries.end());
    for (const auto& library : libraries) load_library(library);
  }
}

void PluginRegistry::load_library(const std::filesystem::path& library) {
  const std::string path = library.string();
  auto fail = [&](const std::string& message) { failures_.push_back({path, message}); };
  // RTLD_LOCAL: two plugins may define the same internal symbols. The handle stays open for
  // the life of the process: the plugins' code and vtables must outlive their objects.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    return fail(std::string("cannot be loaded: ") + (why ? why : "unknown dlopen error"));
  }
  auto abi = reinterpret_cast<StrataPluginAbiFn>(dlsym(handle, "strata_plugin_abi"));
  auto reg = reinterpret_cast<StrataRegisterPluginsFn>(dlsym(handle, "strata_register_plugins"));
  if (!abi || !reg)
    return fail(
        "is not a strata plugin: it must define extern \"C\" strata_plugin_abi() and "
        "strata_register_plugins() (docs/plugins.md)");
  if (abi() != STRATA_PLUGIN_ABI)
    return fail("was built for plugin ABI " + std::to_string(abi()) + ", this strata has ABI " +
                std::to_string(STRATA_PLUGIN_ABI) + ": rebuild it against these headers");
  CollectingRegistrar registrar;
  try {
    reg(registrar);
  } catch (const std::exception& e) {
    return fail(std::string("threw while registering: ") + e.what());
  } catch (...) {
    return fail("threw a non-standard exception while registering");
  }
  if (registrar.collected.empty()) return fail("registered no plugin");
  for (auto& plugin : registrar.collected) {
    try {
      add(std::move(plugin), path);
    } catch (const StrataError& e) {
      failures_.push_back({path, e.what()});
    }
  }
}

std::vector<std::filesystem::path> plugin_directories(
    const std::vector<std::filesystem::path>& extra) {
  std::vector<std::filesystem::path> dirs = extra;
  if (const char* env = std::getenv("STRATA_PLUGIN_PATH")) {
    std::stringstream in(env);
    std::string part;
    while (std::getline(in, part, ':'))
      if (!part.empty()) dirs.emplace_back(part);
  }
  return dirs;
}

PluginOptions resolve_options(const ExportPlugin& plugin,
                              const std::map<std::string, std::string>& given) {
  const auto specs = plugin.options();
  std::map<std::string, std::string> values;
  auto fail = [&](const std::string& what) {
    return StrataError(ErrorCode::kWrongInputParameters,
                       "export plugin " + plugin.name() + ": " + what);
  };
  for (const auto& [name, value] : given) {
    const OptionSpec* spec = nullptr;
    for (const auto& s : specs)
      if (s.name == name) spec = &s;
    if (!spec) {
      std::string known;
      for (const auto& s : specs) known += (known.empty() ? "" : ", ") + s.name;
      throw fail("unknown option '" + name + "' (options: " + (known.empty() ? "none" : known) +
                 ")");
    }
    switch (spec->type) {
      case OptionType::kNumber: {
        char* end = nullptr;
        std::strtod(value.c_str(), &end);
        if (value.empty() || *end != '\0')
          throw fail("option '" + name + "' must be a number, not '" + value + "'");
        break;
      }
      case OptionType::kBool:
        if (value != "true" && value != "false")
          throw fail("option '" + name + "' must be true or false, not '" + value + "'");
        break;
      case OptionType::kChoice:
        if (std::find(spec->choices.begin(), spec->choices.end(), value) == spec->choices.end()) {
          std::string list;
          for (const auto& c : spec->choices) list += (list.empty() ? "" : ", ") + c;
          throw fail("option '" + name + "' must be one of " + list + ", not '" + value + "'");
        }
        break;
      case OptionType::kString:
        break;
    }
    values[name] = value;
  }
  for (const auto& s : specs)
    if (!values.count(s.name) && !s.default_value.empty()) values[s.name] = s.default_value;
  return PluginOptions(std::move(values));
}

nlohmann::json options_schema_json(const ExportPlugin& plugin) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : plugin.options()) {
    nlohmann::json o = {
        {"name", s.name}, {"type", option_type_name(s.type)}, {"description", s.description}};
    if (!s.default_value.empty()) o["default"] = s.default_value;
    if (!s.choices.empty()) o["choices"] = s.choices;
    out.push_back(std::move(o));
  }
  return out;
}

ExportResult run_plugin(ExportPlugin& plugin, const ExportRequest& request) {
  try {
    return plugin.run(request);
  } catch (const std::exception& e) {
    throw StrataError(ErrorCode::kPluginFailed,
                      "export plugin " + plugin.name() + " failed: " + e.what());
  } catch (...) {
    throw StrataError(ErrorCode::kPluginFailed,
                      "export plugin " + plugin.name() + " failed with a non-standard exception");
  }
}

}  // namespace strata::plugins
