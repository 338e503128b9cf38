// strata info: what a store holds (layers, counts, provenance, import report), or the versions
// of the libraries this build links.
#include "strata/engine/info_job.h"

#include <map>
#include <sstream>

#include "strata/core/library_versions.h"
#include "strata/engine/store_access.h"
#include "strata/engine/version.h"
#include "strata/io/gdal_support.h"
#include "strata/io/json_report.h"
#include "strata/render/library_versions.h"
#include "strata/spatial/library_versions.h"

namespace strata::engine {

nlohmann::json library_versions() {
  return {{"strata", version()},
          {"gdal", io::gdal_version()},
          {"proj", proj_version()},
          {"boost", boost_version()},
          {"cgal", spatial::cgal_version()},
          {"open3d", render::open3d_version()}};
}

JobResult run_info(const InfoOptions& a) {
  if (a.target.empty()) {
    if (!a.libraries)
      throw StrataError(ErrorCode::kWrongInputParameters,
                        "give a store or project file, or --libraries");
    auto libs = library_versions();
    std::ostringstream text;
    for (auto& [k, v] : libs.items()) text << k << " " << v.get<std::string>() << "\n";
    return JobResult("info", {{"libraries", libs}}, text.str());
  }
  auto store = open_store_arg(a.target);
  if (!a.layer.empty() && !store->layer(a.layer)) {
    std::string names;
    for (const auto& l : store->layers()) names += (names.empty() ? "" : ", ") + l.provenance.layer;
    throw StrataError(
        ErrorCode::kWrongInputParameters,
        "--layer " + a.layer + ": the store has no such layer (layers: " + names + ")");
  }
  nlohmann::json layers = nlohmann::json::array();
  std::ostringstream text;
  text << "store " << store->path().string() << "\nCRS " << store->crs().label() << " ("
       << store->crs().name() << ")\n";
  auto all_issues = store->issues(a.layer);
  std::map<std::string, std::map<std::string, int>> by_layer_status;
  for (const auto& i : all_issues) by_layer_status[i.layer][std::string(status_name(i.status))]++;
  for (const auto& l : store->layers()) {
    nlohmann::json j = io::to_json(l.provenance);
    j["feature_count"] = l.feature_count;
    j["issues"] = by_layer_status[l.provenance.layer];
    layers.push_back(j);
    const auto& p = l.provenance;
    text << "\n"
         << p.layer << " [" << p.kind << "] " << l.feature_count << " features\n"
         << "  from " << p.dataset << (p.source_layer.empty() ? "" : " (" + p.source_layer + ")")
         << ", CRS " << p.source_crs << " (" << p.crs_origin << ")\n"
         << "  read " << p.features_read << ", imported " << p.features_imported << ", repaired "
         << p.features_repaired << ", rejected " << p.features_rejected << "; imported at "
         << p.imported_at << "\n";
    if (!p.vintage.empty()) text << "  vintage " << p.vintage << "\n";
    if (!p.join_table.empty())
      text << "  joined table " << p.join_table
           << (p.join_vintage.empty() ? "" : ", vintage " + p.join_vintage)
           << (p.join_source.empty() ? "" : ", " + p.join_source) << "\n";
  }
  nlohmann::json result = {{"store", store->path().string()},
                           {"crs", store->crs().label()},
                           {"runs", store->run_count()},
                           {"layers", layers}};
  if (a.libraries) {
    result["libraries"] = library_versions();
    text << "\nlibraries:";
    for (auto& [k, v] : result["libraries"].items())
      text << " " << k << " " << v.get<std::string>();
    text << "\n";
  }
  if (a.issues) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& i : all_issues) list.push_back(io::to_json(i));
    result["issues"] = list;
    text << "\nimport report (" << all_issues.size() << " entries)\n";
    std::size_t shown = 0;
    for (const auto& i : all_issues) {
      if (shown++ >= a.limit) {
        text << "  ... " << all_issues.size() - a.limit << " more (use --json or --limit)\n";
        break;
      }
      text << "  " << status_name(i.status) << " " << static_cast<int>(i.code) << " "
           << error_name(i.code) << " [" << i.layer << "] " << i.message
           << (i.method.empty() ? "" : " -> " + i.method) << "\n";
    }
  }
  return JobResult("info", std::move(result), text.str());
}

}  // namespace strata::engine
