// strata kinds: the feature kinds and their canonical fields, for writing field mappings.
#include <sstream>

#include "commands.h"
#include "strata/core/kind_schema.h"

namespace strata::cli {

Runner add_kinds(CLI::App& app, const GlobalOptions& g) {
  app.add_subcommand("kinds", "List the feature kinds and their canonical fields");
  return [&g]() -> int {
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
        text << "  " << f.name << " (" << field_type_name(f.type)
             << (f.required ? ", required" : "") << ") " << f.description << "\n";
      }
      list.push_back({{"kind", k.kind},
                      {"geometry", geometry_kind_name(k.geometry)},
                      {"description", k.description},
                      {"fields", fields}});
    }
    emit(g, "kinds", true, {{"kinds", list}}, text.str());
    return kExitOk;
  };
}

}  // namespace strata::cli
