#pragma once
// Indicator results per district (and city-wide), with their definitions and provenance, and
// the writers of the four outputs a planner asks for: JSON, CSV, a Markdown table, and a
// GeoPackage layer of district polygons carrying the values (a QGIS choropleth); the same per
// village when a breakdown was asked for.
// Columns and formulas: docs/indicators.md.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "strata/core/geometry.h"

namespace strata::io {

struct IndicatorRow {
  std::string id, name;     // district (or village) id and name; "city" for the city row
  std::string district_id;  // villages: the district they belong to
  std::vector<std::optional<double>> values;  // one per IndicatorTable::columns; null = none
  MultiPolygon2 geometry;                     // districts and villages
};

struct IndicatorTable {
  std::vector<std::string> columns;  // value columns, after district_id and district_name
  std::vector<bool> integer;         // per column: written as an integer (population)
  std::vector<IndicatorRow> districts;
  std::vector<IndicatorRow> villages;  // the breakdown, when one was asked for
  IndicatorRow city;
  std::string crs;  // authority code of the geometries, e.g. EPSG:3826
  nlohmann::json definitions = nlohmann::json::array();  // what each indicator is
  nlohmann::json provenance = nlohmann::json::object();
  nlohmann::json warnings = nlohmann::json::array();

  std::size_t column(const std::string& key) const;  // index; throws when unknown
  nlohmann::json to_json() const;
};

// Each writes its file next to itself first and moves it into place, so a failure leaves the
// previous output intact.
void write_indicators_json(const std::filesystem::path& path, const IndicatorTable& table);
void write_indicators_csv(const std::filesystem::path& path, const IndicatorTable& table);
// The village breakdown (village_id, village_name, district_id and the columns).
void write_indicators_village_csv(const std::filesystem::path& path, const IndicatorTable& table);
void write_indicators_markdown(const std::filesystem::path& path, const IndicatorTable& table);
void write_indicators_gpkg(const std::filesystem::path& path, const IndicatorTable& table);

}  // namespace strata::io
