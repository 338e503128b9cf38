// strata query zone-at | district-at | parcel-at: which polygons of the store cover a point (or
// each point of a CSV file).
#include "strata/engine/query_2d_job.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "strata/engine/store_access.h"
#include "strata/io/json_report.h"
#include "strata/io/table.h"
#include "strata/spatial/point_query.h"
#include "strata/spatial/polygon_index.h"

namespace strata::engine {
namespace {

// Many points: load the layers once into an in-memory R-tree and answer every row.
JobResult run_batch(io::Store& store, const Crs& from, const std::string& verb,
                    const std::vector<std::string>& kinds, const std::string& points_file) {
  io::Table points = io::read_table(points_file);
  // Column names as people write them: x/lon/longitude/easting, y/lat/latitude/northing.
  auto find = [&points](std::initializer_list<const char*> names) {
    for (std::size_t c = 0; c < points.columns.size(); ++c) {
      std::string lower = points.columns[c];
      for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      for (const char* n : names)
        if (lower == n) return static_cast<int>(c);
    }
    return -1;
  };
  int xc = find({"x", "lon", "lng", "longitude", "easting"}),
      yc = find({"y", "lat", "latitude", "northing"});
  int idc = find({"id"});
  if (xc < 0 || yc < 0) {
    std::string cols;
    for (const auto& c : points.columns) cols += (cols.empty() ? "" : ", ") + c;
    throw StrataError(ErrorCode::kFieldMissing,
                      points_file +
                          ": a points file needs an x (or lon) and a y (or lat) column; it has: " +
                          (cols.empty() ? std::string("(no columns)") : cols));
  }
  std::vector<std::pair<std::string, spatial::PolygonIndex>> indexes;
  for (const auto& l : store.layers()) {
    if (std::find(kinds.begin(), kinds.end(), l.provenance.kind) == kinds.end()) continue;
    std::vector<Record> records;
    store.for_each_record(l.provenance.layer, std::nullopt, [&](const Record& r) {
      records.push_back(r);
      return true;
    });
    indexes.emplace_back(l.provenance.layer, spatial::PolygonIndex(std::move(records)));
  }
  Transformer to_store(from, store.crs());
  nlohmann::json rows = nlohmann::json::array();
  std::ostringstream text;
  std::int64_t found = 0;
  for (std::size_t r = 0; r < points.rows.size(); ++r) {
    const auto& row = points.rows[r];
    std::string id = idc >= 0 ? row[static_cast<std::size_t>(idc)] : std::string();
    if (id.empty()) id = std::to_string(points.row_numbers[r]);
    auto x = to_real(FieldValue{row[static_cast<std::size_t>(xc)]});
    auto y = to_real(FieldValue{row[static_cast<std::size_t>(yc)]});
    nlohmann::json hits = nlohmann::json::array();
    double px = x.value_or(0), py = y.value_or(0);
    if (x && y && to_store.transform(px, py)) {
      for (const auto& [layer, index] : indexes) {
        for (auto i : index.covering(Point2(px, py))) {
          const Record& rec = index.record(i);
          nlohmann::json j = io::fields_to_json(rec);
          j["layer"] = layer;
          j["source"] = {{"dataset", rec.source.dataset}, {"fid", rec.source.fid}};
          hits.push_back(std::move(j));
        }
      }
    }
    if (!hits.empty()) ++found;
    text << id;
    for (const auto& h : hits) text << "\t" << h["id"].get<std::string>();
    text << "\n";
    rows.push_back(
        {{"id", id}, {"hits", std::move(hits)}, {"valid_point", x.has_value() && y.has_value()}});
  }
  return JobResult("query " + verb,
                   {{"query", verb}, {"points", rows}, {"points_with_hits", found}}, text.str());
}

}  // namespace

const std::vector<PointQueryVerb>& point_query_verbs() {
  static const std::vector<PointQueryVerb> verbs = {
      {"zone-at", "zoning plan unit(s) covering a point", {"zoning"}},
      {"district-at", "district and village covering a point", {"district", "village"}},
      {"parcel-at", "land parcel(s) covering a point", {"parcel"}},
  };
  return verbs;
}

JobResult run_point_query(const PointQueryOptions& a) {
  const PointQueryVerb* verb = nullptr;
  for (const auto& v : point_query_verbs())
    if (v.name == a.verb) verb = &v;
  if (!verb)
    throw StrataError(ErrorCode::kWrongInputParameters,
                      "unknown point query '" + a.verb + "' (zone-at, district-at, parcel-at)");
  if (a.store.empty())
    throw StrataError(ErrorCode::kWrongInputParameters, "a point query needs the store");
  auto store = open_store_arg(a.store);
  Crs from = a.crs.empty() ? store->crs() : Crs::from_user_input(a.crs);
  if (!a.points.empty()) return run_batch(*store, from, verb->name, verb->kinds, a.points);
  if (from.is_geographic() && (a.y < -90 || a.y > 90))
    throw StrataError(ErrorCode::kWrongInputParameters,
                      "latitude " + std::to_string(a.y) +
                          " is out of range: give longitude first, then latitude");
  Point2 p = spatial::to_store_crs(*store, from, a.x, a.y);
  auto hits = spatial::features_at(*store, verb->kinds, p);
  // When nothing is found, say why if we can tell: no such layer, or lon/lat given as metres.
  std::string note;
  if (hits.empty()) {
    bool has_layer = false;
    for (const auto& l : store->layers())
      has_layer |=
          std::find(verb->kinds.begin(), verb->kinds.end(), l.provenance.kind) != verb->kinds.end();
    if (!has_layer) {
      note = "the store has no layer of kind " + verb->kinds.front();
    } else if (a.crs.empty() && !store->crs().is_geographic() && std::abs(a.x) <= 180 &&
               std::abs(a.y) <= 90) {
      note = "the point looks like longitude/latitude; add --crs EPSG:4326";
    }
  }

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
  if (hits.empty()) {
    char where[96];
    std::snprintf(where, sizeof where, "(%.3f, %.3f)", p.x(), p.y());
    text << "nothing at " << where << " " << store->crs().label()
         << (note.empty() ? "" : ": " + note) << "\n";
  }
  nlohmann::json result = {
      {"query", verb->name},
      {"point", {{"x", a.x}, {"y", a.y}, {"crs", from.label()}}},
      {"point_store_crs", {{"x", p.x()}, {"y", p.y()}, {"crs", store->crs().label()}}},
      {"hits", list}};
  if (!note.empty()) result["note"] = note;
  JobResult out(command, std::move(result), text.str());
  out.nothing_found = hits.empty();
  return out;
}

}  // namespace strata::engine
