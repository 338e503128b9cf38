// strata: 3D cadastre and urban GIS engine, command line.
#include <iostream>
#include <map>

#include "commands.h"

int main(int argc, char** argv) {
  using namespace strata::cli;
  CLI::App app{"strata: 3D cadastre and urban GIS engine. Ingests districts, population, zoning and parcels\n"
               "into a GeoPackage store and answers spatial queries. See docs/cli.md."};
  app.set_version_flag("--version", strata_version());
  app.require_subcommand(1);
  GlobalOptions g;
  app.add_flag("--json", g.json, "print a machine-readable JSON result on stdout");
  app.add_flag("-q,--quiet", g.quiet, "no progress on stderr");
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
  for (auto* sub : app.get_subcommands({})) sub->fallthrough();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  for (auto* sub : app.get_subcommands()) {
    try {
      return runners.at(sub)();
    } catch (const strata::StrataError& e) {
      return emit_error(g, sub->get_name(), e);
    } catch (const std::exception& e) {
      return emit_error(g, sub->get_name(), strata::StrataError(strata::ErrorCode::kInternal, e.what()));
    }
  }
  return kExitUsage;
}
