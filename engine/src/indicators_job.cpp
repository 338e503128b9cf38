// The project's [indicators] computed from the store and written to the output folder (the
// `indicators` command and a project run share it; docs/indicators.md).
#include "strata/engine/indicators_job.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>

#include "strata/core/clock.h"
#include "strata/core/indicator_catalogue.h"
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
  // A column's value in the row with the column's decimals; "-" when empty or absent.
  auto col = [&](const io::IndicatorRow& r, const std::string& key) -> std::string {
    for (std::size_t c = 0; c < table.columns.size(); ++c)
      if (table.columns[c] == key && r.values[c]) {
        const IndicatorColumn* info = find_indicator_column(key);
        std::ostringstream v;
        v.setf(std::ios::fixed);
        v.precision(info ? info->decimals : 1);
        v << *r.values[c];
        return v.str();
      }
    return "-";
  };
  // A summary template's {names} replaced by `value(name)`; nothing when one has none.
  auto expand = [](const std::string& pattern, const auto& value) -> std::optional<std::string> {
    std::string expanded;
    std::size_t at = 0;
    while (at < pattern.size()) {
      const auto open = pattern.find('{', at);
      if (open == std::string::npos) break;
      const auto close = pattern.find('}', open);
      if (close == std::string::npos) break;  // an unbalanced '{' is kept as text
      expanded += pattern.substr(at, open - at);
      const std::optional<std::string> v = value(pattern.substr(open + 1, close - open - 1));
      if (!v) return std::nullopt;
      expanded += *v;
      at = close + 1;
    }
    return expanded + pattern.substr(std::min(at, pattern.size()));
  };
  std::vector<const Indicator*> computed;
  for (const auto& info : indicators())
    if (spec.group(info.key)) computed.push_back(&info);
  for (const auto* r : [&] {
         std::vector<const io::IndicatorRow*> rows;
         for (const auto& d : table.districts) rows.push_back(&d);
         rows.push_back(&table.city);
         return rows;
       }()) {
    out << "  " << r->name << ": population " << col(*r, "population");
    for (const Indicator* info : computed)
      out << ", " << *expand(info->summary, [&](const std::string& key) {
        return std::optional<std::string>(col(*r, key));
      });
    out << "\n";
  }
  for (const Indicator* info : computed) {
    if (info->city_summary.empty()) continue;
    const auto line = expand(info->city_summary, [&](const std::string& key) {
      std::optional<std::string> v;
      if (auto n = spec.number(key)) {
        std::ostringstream o;
        o << *n;
        v = o.str();
      } else if (const std::string c = col(table.city, key); c != "-") {
        v = c;
      }
      return v;
    });
    if (line) out << "  " << *line << "\n";
  }
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
