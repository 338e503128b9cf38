// strata query zone-at | district-at | parcel-at X Y [--crs ...]: what covers a point.
#include <sstream>

#include "commands.h"
#include "store_arg.h"
#include "strata/io/json_report.h"
#include "strata/spatial/point_query.h"

namespace strata::cli {

Runner add_query(CLI::App& app, const GlobalOptions& g) {
  struct Args {
    double x = 0, y = 0;
    std::string crs, store;
  };
  auto a = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand("query", "Spatial queries on the store");
  sub->require_subcommand(1);
  struct Verb {
    const char* name;
    const char* help;
    std::vector<std::string> kinds;
  };
  static const std::vector<Verb> verbs = {
      {"zone-at", "zoning plan unit(s) covering a point", {"zoning"}},
      {"district-at", "district and village covering a point", {"district", "village"}},
      {"parcel-at", "land parcel(s) covering a point", {"parcel"}},
  };
  for (const auto& v : verbs) {
    CLI::App* q = sub->add_subcommand(v.name, v.help);
    q->add_option("x", a->x, "easting or longitude")->required();
    q->add_option("y", a->y, "northing or latitude")->required();
    q->add_option("--crs", a->crs, "CRS of X Y (default: the store's); EPSG:4326 takes longitude then latitude");
    q->add_option("--store", a->store, "store (.gpkg) or project file (.toml)")->required();
    q->fallthrough();
  }
  sub->footer("Example:\n  strata query zone-at 120.4862 22.8870 --crs EPSG:4326 --store out/strata.gpkg\n");

  return [a, sub, &g]() -> int {
    const Verb* verb = nullptr;
    for (const auto& v : verbs)
      if (sub->got_subcommand(v.name)) verb = &v;
    auto store = open_store_arg(a->store);
    Crs from = a->crs.empty() ? store->crs() : Crs::from_user_input(a->crs);
    Point2 p = spatial::to_store_crs(*store, from, a->x, a->y);
    auto hits = spatial::features_at(*store, verb->kinds, p);

    nlohmann::json list = nlohmann::json::array();
    std::ostringstream text;
    for (const auto& h : hits) {
      nlohmann::json j = io::fields_to_json(h.record);
      j["layer"] = h.layer;
      j["source"] = {{"dataset", h.record.source.dataset}, {"fid", h.record.source.fid}};
      list.push_back(j);
      text << h.layer << " " << h.record.id;
      for (const auto& [k, v] : h.record.fields) {
        std::string t = to_text(v);
        if (!t.empty()) text << " " << k << "=" << t;
      }
      text << "\n";
    }
    const std::string command = std::string("query ") + verb->name;
    if (hits.empty()) text << "nothing at (" << p.x() << ", " << p.y() << ") " << store->crs().label() << "\n";
    nlohmann::json result = {{"query", verb->name},
                             {"point", {{"x", a->x}, {"y", a->y}, {"crs", from.label()}}},
                             {"point_store_crs", {{"x", p.x()}, {"y", p.y()}, {"crs", store->crs().label()}}},
                             {"hits", list}};
    emit(g, command, true, result, text.str());
    return hits.empty() ? kExitNotFound : kExitOk;
  };
}

}  // namespace strata::cli
