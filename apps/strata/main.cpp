// strata: 3D cadastre and urban GIS engine, command line.
#include <malloc.h>

#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <string_view>

#include "cli_docs.h"
#include "commands.h"

int main(int argc, char** argv) {
  using namespace strata::cli;
  // The overlay of the indicators allocates and frees many large coordinate arrays (polygons of
  // thousands of vertices). glibc serves blocks over 128 KiB with mmap and unmaps them on free,
  // so every copy faulted its pages in anew; keeping freed memory in the heap avoids that. (The
  // release build links tcmalloc, which ignores these; they matter when glibc's malloc is used.)
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  CLI::App app{
      "strata: 3D cadastre and urban GIS engine. Ingests districts, population, zoning and "
      "parcels\n"
      "into a GeoPackage store and answers spatial queries. See docs/cli.md."};
  app.set_version_flag("--version", strata_version());
  app.require_subcommand(1);
  GlobalOptions g;
  app.add_flag("--json", g.json, "print a machine-readable JSON result on stdout");
  app.add_flag("-q,--quiet", g.quiet, "no progress on stderr");
  app.add_flag("--strict", g.strict,
               "fail (exit 4) on any warning that data was left out or read around a problem");
  app.fallthrough();

  std::map<CLI::App*, Runner> runners;
  auto reg = [&](Runner (*add)(CLI::App&, const GlobalOptions&)) {
    std::size_t before = app.get_subcommands({}).size();
    Runner r = add(app, g);
    auto subs = app.get_subcommands({});
    runners[subs[before]] = std::move(r);
  };
  reg(add_import);
  reg(add_info);
  reg(add_query);
  reg(add_run);
  reg(add_kinds);
  reg(add_inspect);
  reg(add_validate);
  reg(add_buildings);
  reg(add_units);
  reg(add_indicators);
  reg(add_pipes);
  reg(add_plugins);
  reg(add_export);
  reg(add_render);
  // Every command takes the global options; say so where users look (`strata CMD --help`,
  // `strata query zone-at --help`).
  const std::string global_help =
      "Global options: --json (a JSON result on stdout), -q/--quiet (no progress), --strict "
      "(warnings fail).\n"
      "Exit codes: 0 ok, 1 nothing found (query), 2 usage, 3 project file, 4 input data, 5 store, "
      "6 internal, 7 validation found errors, 8 export, 9 render.";
  std::function<void(CLI::App*)> add_footer = [&](CLI::App* sub) {
    sub->fallthrough();
    std::string footer = sub->get_footer();
    sub->footer((footer.empty() ? "" : footer + "\n") + global_help);
    for (auto* nested : sub->get_subcommands({})) add_footer(nested);
  };
  for (auto* sub : app.get_subcommands({})) add_footer(sub);
  // The man page and bash completion, from this very definition (cmake --install writes them).
  // In no group: not listed in --help.
  app.add_flag_callback(
         "--man-page",
         [&] {
           std::cout << man_page(app, strata_version());
           throw CLI::Success();
         },
         "print the man page (roff)")
      ->group("");
  app.add_flag_callback(
         "--bash-completion",
         [&] {
           std::cout << bash_completion(app);
           throw CLI::Success();
         },
         "print the bash completion script")
      ->group("");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    // A usage error is reported like any other: JSON on stdout when --json was asked for.
    bool json = false;
    for (int i = 1; i < argc; ++i) json |= std::string_view(argv[i]) == "--json";
    std::string command;
    for (auto* sub = app.get_subcommands().empty() ? nullptr : app.get_subcommands().front(); sub;
         sub = sub->get_subcommands().empty() ? nullptr : sub->get_subcommands().front())
      command += (command.empty() ? "" : " ") + sub->get_name();
    GlobalOptions usage{json, g.quiet, g.strict, {}};
    emit_error(usage, command,
               strata::StrataError(strata::ErrorCode::kWrongInputParameters,
                                   std::string(e.what()) + " (see --help)"));
    return kExitUsage;
  }
  for (auto* sub : app.get_subcommands()) {
    // Name the command as typed, e.g. "query zone-at".
    std::string command = sub->get_name();
    for (auto* s = sub; !s->get_subcommands().empty();) {
      s = s->get_subcommands().front();
      command += " " + s->get_name();
    }
    try {
      return runners.at(sub)();
    } catch (const strata::StrataError& e) {
      return emit_error(g, command, e);
    } catch (const std::filesystem::filesystem_error& e) {
      // A file or folder strata had to write (store, outputs) cannot be: not a bug, exit 5.
      return emit_error(g, command,
                        strata::StrataError(strata::ErrorCode::kStoreError,
                                            std::string("file system: ") + e.what()));
    } catch (const std::exception& e) {
      return emit_error(g, command, strata::StrataError(strata::ErrorCode::kInternal, e.what()));
    }
  }
  return kExitUsage;
}
