#pragma once
// The man page and the bash completion of `strata`, generated from the command line's own
// definition (every subcommand, option and help text), so they cannot drift from it.
#include <CLI/CLI.hpp>
#include <string>

namespace strata::cli {

// strata.1 in man(7) roff.
std::string man_page(const CLI::App& app, const std::string& version);
// A bash completion script: subcommands at each level, then that command's options.
std::string bash_completion(const CLI::App& app);

}  // namespace strata::cli
