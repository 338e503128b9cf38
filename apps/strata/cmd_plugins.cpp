// strata plugins list: the export plugins this strata has (built-in and loaded from the plugin
// directories), their options, and the libraries that failed to load.
#include <sstream>

#include "commands.h"
#include "strata/engine/export_job.h"

namespace strata::cli {

using namespace strata::engine;  // the jobs this command calls

Runner add_plugins(CLI::App& app, const GlobalOptions& g) {
  struct Args {
    std::vector<std::string> dirs;
  };
  auto a = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand("plugins", "Export plugins: list them and their options");
  sub->require_subcommand(1);
  CLI::App* list_cmd = sub->add_subcommand("list",
                                           "List the export plugins, their options and any "
                                           "library that failed to load");
  list_cmd->add_option("--plugin-dir", a->dirs,
                       "also load the plugin libraries (*.so) of this directory (repeatable; "
                       "STRATA_PLUGIN_PATH adds more)");

  return [a, &g]() -> int {
    std::vector<std::filesystem::path> dirs(a->dirs.begin(), a->dirs.end());
    plugins::PluginRegistry registry = load_plugins(dirs);
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
      if (!g.json && !g.quiet)
        std::cerr << "strata plugins: " << f.path << ": " << f.message << "\n";
    }
    emit(g, "plugins list", true, {{"plugins", list}, {"failures", failures}}, text.str());
    return kExitOk;  // a library that failed to load does not stop the others (listed above)
  };
}

}  // namespace strata::cli
