// strata plugins list: the export plugins this strata has (built-in and loaded from the plugin
// directories), their options, and the libraries that failed to load.
#include "commands.h"
#include "strata/engine/catalogue_job.h"

namespace strata::cli {

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
    const engine::JobResult r = engine::list_plugins(dirs);
    if (!g.json && !g.quiet)
      for (const auto& f : r.result["failures"])
        std::cerr << "strata plugins: " << f["path"].get<std::string>() << ": "
                  << f["message"].get<std::string>() << "\n";
    emit(g, r.command, true, r.result, r.text);
    return kExitOk;  // a library that failed to load does not stop the others (listed above)
  };
}

}  // namespace strata::cli
