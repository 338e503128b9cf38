#include "strata/core/error.h"
#include "strata/plugins/export_plugin.h"

namespace strata::plugins {

PluginRegistry& PluginRegistry::instance() {
  static PluginRegistry registry;
  return registry;
}

void PluginRegistry::add(std::unique_ptr<ExportPlugin> plugin) {
  if (find(plugin->name()))
    throw StrataError(ErrorCode::kWrongInputParameters,
                      "export plugin '" + plugin->name() + "' is registered twice");
  plugins_.push_back(std::move(plugin));
}

ExportPlugin* PluginRegistry::find(const std::string& name) const {
  for (const auto& p : plugins_)
    if (p->name() == name) return p.get();
  return nullptr;
}

std::vector<std::string> PluginRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& p : plugins_) out.push_back(p->name());
  return out;
}

}  // namespace strata::plugins
