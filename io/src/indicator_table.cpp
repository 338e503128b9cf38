#include "strata/io/indicator_table.h"

#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>

#include "gpkg_output.h"
#include "ogr_geometry.h"
#include "strata/core/atomic_file.h"
#include "strata/core/error.h"
#include "strata/io/text_cells.h"

namespace strata::io {
namespace {

// Shortest text that reads back as the same double (CSV keeps full precision).
std::string exact(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string value_text(const std::optional<double>& v, bool integer) {
  if (!v) return "";
  if (integer) return std::to_string(static_cast<long long>(std::llround(*v)));
  return exact(*v);
}

// Readable figures for the Markdown table: thousands separated, 2 decimals (4 for shares).
std::string readable(const std::optional<double>& v, bool integer, bool share) {
  if (!v) return "–";
  char buf[64];
  std::snprintf(buf, sizeof buf, integer ? "%.0f" : share ? "%.4f" : "%.2f", *v);
  std::string s(buf);
  const auto dot = s.find('.');
  std::string whole = s.substr(0, dot), rest = dot == std::string::npos ? "" : s.substr(dot);
  const bool negative = !whole.empty() && whole[0] == '-';
  if (negative) whole.erase(0, 1);
  std::string grouped;
  for (std::size_t i = 0; i < whole.size(); ++i) {
    if (i && (whole.size() - i) % 3 == 0) grouped += ',';
    grouped += whole[i];
  }
  return (negative ? "-" : "") + grouped + rest;
}

std::string csv_field(const std::string& s) { return csv_text_cell(s); }

nlohmann::json row_json(const IndicatorTable& t, const IndicatorRow& r, bool village = false) {
  nlohmann::json j = village ? nlohmann::json{{"village_id", r.id},
                                              {"village_name", r.name},
                                              {"district_id", r.district_id}}
                             : nlohmann::json{{"district_id", r.id}, {"district_name", r.name}};
  for (std::size_t c = 0; c < t.columns.size(); ++c) {
    const auto& v = r.values[c];
    if (!v)
      j[t.columns[c]] = nullptr;
    else if (t.integer[c])
      j[t.columns[c]] = static_cast<std::int64_t>(std::llround(*v));
    else
      j[t.columns[c]] = *v;
  }
  return j;
}

}  // namespace

std::size_t IndicatorTable::column(const std::string& key) const {
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (columns[i] == key) return i;
  throw StrataError(ErrorCode::kInternal, "indicator table has no column " + key);
}

nlohmann::json IndicatorTable::to_json() const {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& r : districts) rows.push_back(row_json(*this, r));
  nlohmann::json j = {{"provenance", provenance},
                      {"columns", columns},  // the CSV's order (JSON objects keep none)
                      {"indicators", definitions},
                      {"districts", rows},
                      {"city", row_json(*this, city)},
                      {"warnings", warnings}};
  if (!villages.empty()) {
    nlohmann::json v = nlohmann::json::array();
    for (const auto& r : villages) v.push_back(row_json(*this, r, true));
    j["villages"] = std::move(v);
  }
  return j;
}

void write_indicators_json(const std::filesystem::path& path, const IndicatorTable& table) {
  write_text_atomically(path, [&](std::ostream& out) {
    out << table.to_json().dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  });
}

void write_indicators_csv(const std::filesystem::path& path, const IndicatorTable& table) {
  write_text_atomically(path, [&](std::ostream& out) {
    out << "district_id,district_name";
    for (const auto& c : table.columns) out << "," << c;
    out << "\n";
    auto row = [&](const IndicatorRow& r) {
      out << csv_field(r.id) << "," << csv_field(r.name);
      for (std::size_t c = 0; c < table.columns.size(); ++c)
        out << "," << value_text(r.values[c], table.integer[c]);
      out << "\n";
    };
    for (const auto& r : table.districts) row(r);
    row(table.city);
  });
}

void write_indicators_village_csv(const std::filesystem::path& path, const IndicatorTable& table) {
  write_text_atomically(path, [&](std::ostream& out) {
    out << "village_id,village_name,district_id";
    for (const auto& c : table.columns) out << "," << c;
    out << "\n";
    for (const auto& r : table.villages) {
      out << csv_field(r.id) << "," << csv_field(r.name) << "," << csv_field(r.district_id);
      for (std::size_t c = 0; c < table.columns.size(); ++c)
        out << "," << value_text(r.values[c], table.integer[c]);
      out << "\n";
    }
  });
}

void write_indicators_markdown(const std::filesystem::path& path, const IndicatorTable& table) {
  write_text_atomically(path, [&](std::ostream& out) {
    out << "# Indicators by district\n\n";
    out << "| district |";
    for (const auto& c : table.columns) out << " " << c << " |";
    out << "\n|---|";
    for (std::size_t c = 0; c < table.columns.size(); ++c) out << "---:|";
    out << "\n";
    auto row = [&](const IndicatorRow& r, bool bold, bool village = false) {
      // Names come from the data: escaped, so that they never become HTML or Markdown.
      const std::string name = markdown_text(r.name);
      out << "| " << (bold ? "**" + name + "**" : name) << " |";
      if (village) out << " " << markdown_text(r.district_id) << " |";
      for (std::size_t c = 0; c < table.columns.size(); ++c) {
        const bool share = table.columns[c].find("share") != std::string::npos ||
                           table.columns[c].find("progress") != std::string::npos;
        out << " " << readable(r.values[c], table.integer[c], share) << " |";
      }
      out << "\n";
    };
    for (const auto& r : table.districts) row(r, false);
    row(table.city, true);
    if (!table.villages.empty()) {
      out << "\n## By village\n\n| village | district |";
      for (const auto& c : table.columns) out << " " << c << " |";
      out << "\n|---|---|";
      for (std::size_t c = 0; c < table.columns.size(); ++c) out << "---:|";
      out << "\n";
      for (const auto& r : table.villages) row(r, false, true);
    }
    out << "\n## Definitions\n\n";
    for (const auto& d : table.definitions)
      out << "- `" << d.value("key", "") << "`: " << d.value("name", "") << " ("
          << d.value("unit", "") << "). " << d.value("formula", "") << "\n";
    // A fence longer than any run of backticks in the data, so the block cannot be closed early.
    const std::string provenance =
        table.provenance.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    std::size_t longest = 0, run = 0;
    for (char c : provenance) longest = std::max(longest, run = c == '`' ? run + 1 : 0);
    const std::string fence(std::max<std::size_t>(3, longest + 1), '`');
    out << "\n## Provenance\n\n" << fence << "json\n" << provenance << "\n" << fence << "\n";
    if (!table.warnings.empty()) {
      out << "\n## Warnings\n\n";
      for (const auto& w : table.warnings)
        out << "- " << w.value("code", 0) << ": " << markdown_text(w.value("message", "")) << "\n";
    }
  });
}

namespace {

// One layer of polygons with the indicator columns: districts or villages.
GpkgLayerOutput indicator_layer(const IndicatorTable& table, bool village) {
  return {village ? "indicators_village" : "indicators_district", wkbMultiPolygon,
          [&table, village](OGRLayer& layer, const GpkgFail& fail) {
            std::vector<const char*> keys = {village ? "village_id" : "district_id",
                                             village ? "village_name" : "district_name"};
            if (village) keys.push_back("district_id");
            for (const char* name : keys) {
              OGRFieldDefn f(name, OFTString);
              layer.CreateField(&f);
            }
            for (std::size_t c = 0; c < table.columns.size(); ++c) {
              OGRFieldDefn f(table.columns[c].c_str(), table.integer[c] ? OFTInteger64 : OFTReal);
              if (layer.CreateField(&f) != OGRERR_NONE)
                fail("cannot create field " + table.columns[c]);
            }
            for (const auto& r : village ? table.villages : table.districts) {
              OGRFeature feature(layer.GetLayerDefn());
              feature.SetField(keys[0], r.id.c_str());
              feature.SetField(keys[1], r.name.c_str());
              if (village) feature.SetField("district_id", r.district_id.c_str());
              for (std::size_t c = 0; c < table.columns.size(); ++c) {
                const auto& v = r.values[c];
                const int i = feature.GetFieldIndex(table.columns[c].c_str());
                if (!v)
                  feature.SetFieldNull(i);
                else if (table.integer[c])
                  feature.SetField(i, static_cast<GIntBig>(std::llround(*v)));
                else
                  feature.SetField(i, *v);
              }
              feature.SetGeometryDirectly(to_ogr(r.geometry).release());
              if (layer.CreateFeature(&feature) != OGRERR_NONE)
                fail("cannot write " + std::string(village ? "village " : "district ") + r.id);
            }
          }};
}

}  // namespace

void write_indicators_gpkg(const std::filesystem::path& path, const IndicatorTable& table) {
  std::vector<GpkgLayerOutput> layers = {indicator_layer(table, false)};
  if (!table.villages.empty()) layers.push_back(indicator_layer(table, true));
  write_gpkg_layers(path, table.crs, layers);
}

}  // namespace strata::io
