#pragma once
// One function pair per subcommand: `add_*` declares its arguments, the lambda it registers
// runs it and returns the exit code.
#include <CLI/CLI.hpp>
#include <functional>

#include "cli_output.h"
#include "strata/io/project_file.h"
#include "strata/io/store.h"

namespace strata::cli {

using Runner = std::function<int()>;

Runner add_import(CLI::App& app, const GlobalOptions& g);
Runner add_info(CLI::App& app, const GlobalOptions& g);
Runner add_query(CLI::App& app, const GlobalOptions& g);
Runner add_run(CLI::App& app, const GlobalOptions& g);
Runner add_kinds(CLI::App& app, const GlobalOptions& g);
Runner add_inspect(CLI::App& app, const GlobalOptions& g);
Runner add_validate(CLI::App& app, const GlobalOptions& g);
Runner add_buildings(CLI::App& app, const GlobalOptions& g);
Runner add_units(CLI::App& app, const GlobalOptions& g);
Runner add_indicators(CLI::App& app, const GlobalOptions& g);
Runner add_pipes(CLI::App& app, const GlobalOptions& g);
Runner add_plugins(CLI::App& app, const GlobalOptions& g);
Runner add_export(CLI::App& app, const GlobalOptions& g);
Runner add_render(CLI::App& app, const GlobalOptions& g);

}  // namespace strata::cli
