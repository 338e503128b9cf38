// The project's [indicators] computed from the store and written to the output folder (the
// `indicators` command and a project run share it; docs/indicators.md).
#include "strata/engine/indicators_job.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>

#include "strata/core/clock.h"
#include "strata/engine/version.h"
#include "strata/io/indicator_table.h"
#include "strata/spatial/indicators.h"

namespace strata::engine {

nlohmann::json compute_and_write_indicators(const io::Project& project, io::Store& store,
                                            const std::filesystem::path& out_dir, int threads,
                                            std::string& text) {
  if (!project.indicators)
    throw StrataError(ErrorCode::kProjectFile,
                      project.file.string() + ": no [indicators] section (docs/indicators.md)");
  const io::IndicatorSpec& spec = *project.indicators;
  spatial::IndicatorOptions options;
  options.threads = threads;
  io::IndicatorTable table = spatial::compute_indicators(store, spec, options);
  table.provenance["engine"] = "strata " + version();
  table.provenance["computed_at"] = utc_now_iso8601();
  table.provenance["project"] = project.file.string();

  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec)
    throw StrataError(
        ErrorCode::kStoreError,
        out_dir.string() + ": cannot create the output folder (" + ec.message() + ")");
  nlohmann::json files = nlohmann::json::object();
  // Outputs of an earlier run that this run's `outputs` no longer lists would sit next to the
  // new ones with older values: they go, so the folder holds one consistent set.
  const std::map<std::string, std::vector<std::string>> files_of = {
      {"json", {"indicators.json"}},
      {"csv", {"indicators.csv", "indicators_village.csv"}},
      {"markdown", {"indicators.md"}},
      {"gpkg", {"indicators.gpkg"}}};
  for (const auto& [kind, names] : files_of)
    if (std::find(spec.outputs.begin(), spec.outputs.end(), kind) == spec.outputs.end())
      for (const auto& name : names) {
        std::error_code ignored;
        std::filesystem::remove(out_dir / name, ignored);
      }
  for (const auto& kind : spec.outputs) {
    std::filesystem::path path;
    if (kind == "json") {
      path = out_dir / "indicators.json";
      io::write_indicators_json(path, table);
    } else if (kind == "csv") {
      path = out_dir / "indicators.csv";
      io::write_indicators_csv(path, table);
      const auto village_path = out_dir / "indicators_village.csv";
      if (!table.villages.empty()) {
        io::write_indicators_village_csv(village_path, table);
        files["csv_village"] = village_path.string();
      } else {
        // A breakdown of an earlier run would otherwise sit next to outputs that no longer have
        // one.
        std::error_code ignored;
        std::filesystem::remove(village_path, ignored);
      }
    } else if (kind == "markdown") {
      path = out_dir / "indicators.md";
      io::write_indicators_markdown(path, table);
    } else if (kind == "gpkg") {
      path = out_dir / "indicators.gpkg";
      io::write_indicators_gpkg(path, table);
    }
    files[kind] = path.string();
  }

  std::ostringstream out;
  auto col = [&](const io::IndicatorRow& r, const std::string& key) -> std::string {
    for (std::size_t c = 0; c < table.columns.size(); ++c)
      if (table.columns[c] == key && r.values[c]) {
        std::ostringstream v;
        v.setf(std::ios::fixed);
        v.precision(key == "population" || key == "trees_planted" || key == "households" ||
                            key == "households_without_title"
                        ? 0
                    : key == "permeable_paving_share" || key == "paving_target_progress" ||
                            key.find("per_capita") != std::string::npos || key == "iso37120_21_3" ||
                            key == "iso37120_15_3"
                        ? 4
                        : 1);
        v << *r.values[c];
        return v.str();
      }
    return "-";
  };
  for (const auto* r : [&] {
         std::vector<const io::IndicatorRow*> rows;
         for (const auto& d : table.districts) rows.push_back(&d);
         rows.push_back(&table.city);
         return rows;
       }()) {
    out << "  " << r->name << ": population " << col(*r, "population");
    if (spec.group(io::IndicatorGroup::kGreen))
      out << ", green " << col(*r, "green_area_ha") << " ha, 21.1 = " << col(*r, "iso37120_21_1");
    if (spec.group(io::IndicatorGroup::kPaving))
      out << ", permeable paving " << col(*r, "permeable_paving_m2") << " m²";
    if (spec.group(io::IndicatorGroup::kRecreationIndoor))
      out << ", indoor recreation " << col(*r, "recreation_indoor_m2_per_capita") << " m²/person";
    if (spec.group(io::IndicatorGroup::kRecreationOutdoor))
      out << ", outdoor recreation " << col(*r, "recreation_outdoor_m2_per_capita") << " m²/person";
    if (spec.group(io::IndicatorGroup::kInformal))
      out << ", informal settlements " << col(*r, "iso37120_21_3") << " %";
    if (spec.group(io::IndicatorGroup::kGreenAdded))
      out << ", green added " << col(*r, "green_added_m2") << " m²";
    if (spec.group(io::IndicatorGroup::kTrees))
      out << ", trees " << col(*r, "trees_planted") << " (21.2 = " << col(*r, "iso37120_21_2")
          << ")";
    if (spec.group(io::IndicatorGroup::kBicyclePaths))
      out << ", bicycle paths " << col(*r, "bicycle_path_km") << " km ("
          << col(*r, "bicycle_path_km_per_100k") << " per 100 000)";
    if (spec.group(io::IndicatorGroup::kHouseholds))
      out << ", households " << col(*r, "households") << ", without title "
          << col(*r, "households_without_title") << " (15.3 = " << col(*r, "iso37120_15_3")
          << " %)";
    out << "\n";
  }
  if (spec.paving_target_m2)
    out << "  permeable paving target " << *spec.paving_target_m2 << " m²: progress "
        << col(table.city, "paving_target_progress") << "\n";
  for (const auto& w : table.warnings)
    out << "  warning " << w.value("code", 0) << " " << w.value("name", "") << ": "
        << w.value("message", "") << "\n";
  for (const auto& [kind, path] : files.items())
    out << "  " << kind << ": " << path.get<std::string>() << "\n";
  text = out.str();
  nlohmann::json result = table.to_json();
  result["outputs"] = files;
  return result;
}

}  // namespace strata::engine
