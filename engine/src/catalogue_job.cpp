#include "strata/engine/catalogue_job.h"

#include <sstream>

#include "strata/core/kind_schema.h"
#include "strata/engine/export_job.h"

namespace strata::engine {

JobResult list_kinds() {
  nlohmann::json list = nlohmann::json::array();
  std::ostringstream text;
  for (const auto& k : all_kinds()) {
    nlohmann::json fields = nlohmann::json::array();
    text << k.kind << " (" << geometry_kind_name(k.geometry) << "): " << k.description << "\n";
    for (const auto& f : k.fields) {
      fields.push_back({{"name", f.name},
                        {"type", field_type_name(f.type)},
                        {"required", f.required},
                        {"description", f.description}});
      text << "  " << f.name << " (" << field_type_name(f.type) << (f.required ? ", required" : "")
           << ") " << f.description << "\n";
    }
    list.push_back({{"kind", k.kind},
                    {"geometry", geometry_kind_name(k.geometry)},
                    {"description", k.description},
                    {"fields", fields}});
  }
  return JobResult("kinds", {{"kinds", list}}, text.str());
}

JobResult list_plugins(const std::vector<std::filesystem::path>& directories) {
  plugins::PluginRegistry registry = load_plugins(directories);
  nlohmann::json list = nlohmann::json::array();
  std::ostringstream text;
  for (const auto& e : registry.entries()) {
    list.push_back({{"name", e.plugin->name()},
                    {"description", e.plugin->description()},
                    {"origin", e.origin},
                    {"output", e.plugin->output_is_folder() ? "folder" : "file"},
                    {"default_extension", e.plugin->default_extension()},
                    {"options", plugins::options_schema_json(*e.plugin)}});
    text << e.plugin->name() << "  (" << e.origin << ")\n    " << e.plugin->description() << "\n";
    for (const auto& o : e.plugin->options())
      text << "    option " << o.name
           << (o.default_value.empty() ? "" : " (default " + o.default_value + ")") << ": "
           << o.description << "\n";
  }
  nlohmann::json failures = nlohmann::json::array();
  for (const auto& f : registry.failures()) {
    failures.push_back({{"path", f.path},
                        {"code", static_cast<int>(ErrorCode::kPluginLoad)},
                        {"name", "PLUGIN_LOAD"},
                        {"message", f.message}});
    text << "FAILED " << f.path << ": error 980 PLUGIN_LOAD: " << f.message << "\n";
  }
  JobResult out("plugins list", {{"plugins", list}, {"failures", failures}}, text.str());
  out.warnings = !failures.empty();
  return out;
}

}  // namespace strata::engine
