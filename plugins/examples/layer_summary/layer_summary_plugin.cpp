// The example export plugin of docs/plugins.md: a shared library, built in the tree and loaded
// by the tests from its directory. It writes one CSV row per exported layer (name, class,
// geometry, feature count, origin), and shows the whole API: a dotted name, a description, an
// options schema, and the two extern "C" entry points. It includes strata's headers only.
#include <fstream>
#include <memory>
#include <stdexcept>

#include "strata/plugins/export_plugin.h"

namespace {

using namespace strata::plugins;

// Layer names and origins come from the data: quoted, and a leading "=", "+", "-" or "@"
// prefixed with "'" so that a spreadsheet never runs them as a formula.
std::string csv_field(const std::string& text) {
  std::string out = "\"";
  if (!text.empty() && std::string("=+-@\t\r").find(text.front()) != std::string::npos) out += '\'';
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

class LayerSummary : public ExportPlugin {
 public:
  std::string name() const override { return "examples.layer_summary"; }
  std::string description() const override {
    return "example plugin: one CSV row per exported layer (class, geometry, feature count)";
  }
  std::string default_extension() const override { return ".csv"; }
  std::vector<OptionSpec> options() const override {
    return {{"separator", OptionType::kChoice, "comma", "field separator", {"comma", "tab"}},
            {"fail",
             OptionType::kBool,
             "false",
             "throw instead of writing (to try the engine's error path)",
             {}}};
  }

  ExportResult run(const ExportRequest& request) override {
    if (request.options.flag("fail")) throw std::runtime_error("asked to fail (option fail=true)");
    const std::string sep = request.options.text("separator") == "tab" ? "\t" : ",";
    std::ofstream out(request.output);
    if (!out) throw std::runtime_error(request.output.string() + ": cannot be written");
    out << "layer" << sep << "class" << sep << "geometry" << sep << "features" << sep << "origin\n";
    ExportResult result;
    for (const auto& layer : request.model->layers) {
      out << csv_field(layer.name) << sep << feature_class_name(layer.feature_class) << sep
          << geometry_kind_name(layer.geometry) << sep << layer.features.size() << sep
          << csv_field(layer.origin) << "\n";
      result.summary["layers"][layer.name] = layer.features.size();
    }
    if (!out) throw std::runtime_error(request.output.string() + ": cannot be written");
    result.files.push_back(request.output);
    return result;
  }
};

}  // namespace

extern "C" int strata_plugin_abi() { return STRATA_PLUGIN_ABI; }

extern "C" void strata_register_plugins(PluginRegistrar& registrar) {
  registrar.add(std::make_unique<LayerSummary>());
}
