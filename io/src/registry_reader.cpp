#include "strata/io/registry_reader.h"

#include <boost/geometry/algorithms/correct.hpp>
#include <boost/geometry/io/wkt/read.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "json_document.h"
#include "strata/core/error.h"
#include "strata/io/table.h"

namespace strata::io {
namespace {

// Column names, English first, then the Chinese headers of registry transcripts.
const std::map<std::string, std::vector<std::string>>& aliases() {
  static const std::map<std::string, std::vector<std::string>> names = {
      {"building_no", {"building_no", "建號"}},
      {"building_id", {"building_id", "建物", "建物識別碼"}},
      {"address", {"address", "門牌", "建物門牌"}},
      {"use", {"use", "主要用途", "用途"}},
      {"floors", {"floors", "層次"}},
      {"unit_kind", {"unit_kind", "類別", "建物類別"}},
      {"area_m2", {"area_m2", "面積", "總面積"}},
      {"party_id", {"party_id", "權利人編號"}},
      {"party_name", {"party_name", "權利人", "所有權人"}},
      {"party_identity", {"party_identity", "統一編號"}},
      {"share", {"share", "權利範圍"}},
      {"right_type", {"right_type", "權利種類"}},
      {"parcels", {"parcels", "坐落地號", "建物坐落地號"}},
      {"unit_wkt", {"unit_wkt"}},
      {"valid_from", {"valid_from", "登記日期"}},
      {"valid_to", {"valid_to", "塗銷日期"}}};
  return names;
}

// The registry's raw row, whatever the file format.
struct Row {
  std::string source;  // "file:row"
  std::int64_t row = 0;
  std::map<std::string, std::string> values;
  std::string get(const std::string& key) const {
    auto it = values.find(key);
    return it == values.end() ? "" : it->second;
  }
};

struct Builder {
  std::string path;
  std::vector<FeatureIssue>& issues;
  OwnershipModel model;
  std::map<std::string, std::size_t> baunit_of;
  std::map<std::string, std::size_t> party_of;  // id -> index

  void reject(const Row& r, ErrorCode code, const std::string& field, const std::string& message,
              FeatureStatus status = FeatureStatus::kRejected) {
    FeatureIssue i;
    i.file = path;
    i.fid = r.row;
    i.feature_id = r.get("building_no");
    i.status = status;
    i.code = code;
    i.field = field;
    i.message = r.source + ": " + message;
    issues.push_back(std::move(i));
  }

  std::string party_for(const Row& r) {
    std::string id = r.get("party_id");
    const std::string name = r.get("party_name"), identity = r.get("party_identity");
    if (id.empty() && name.empty() && identity.empty()) return "";
    if (id.empty()) {
      // Same name and identity number: the same party.
      for (const auto& p : model.parties)
        if (p.name == name && p.identity_number == identity) return p.id;
      id = "P-" + std::to_string(model.parties.size() + 1);
    }
    auto [it, fresh] = party_of.try_emplace(id, model.parties.size());
    if (fresh) model.parties.push_back({id, name, identity});
    return id;
  }

  void add(const Row& r) {
    const std::string no = r.get("building_no");
    if (no.empty())
      return reject(r, ErrorCode::kFieldNull, "building_no", "no building number (建號)");
    auto floors = parse_floors(r.get("floors"));
    if (!floors)
      return reject(
          r, ErrorCode::kFieldType, "floors",
          "floors (層次) '" + r.get("floors") + "' is not a floor list such as 1, 1,2, 2-4, B1");
    const std::string kind_text = r.get("unit_kind");
    auto kind =
        kind_text.empty() ? std::optional<UnitKind>(UnitKind::kMain) : parse_unit_kind(kind_text);
    if (!kind)
      return reject(
          r, ErrorCode::kFieldType, "unit_kind",
          "unit kind '" + kind_text + "' is not main/主建物, annex/附屬建物 or common/共有部分");
    double area = 0;
    try {
      std::size_t used = 0;
      area = std::stod(r.get("area_m2"), &used);
      if (used != r.get("area_m2").size() || !(area > 0)) throw std::invalid_argument("");
    } catch (const std::exception&) {
      return reject(r, ErrorCode::kFieldType, "area_m2",
                    "registered area '" + r.get("area_m2") + "' is not a positive number of m²");
    }
    std::optional<MultiPolygon2> outline;
    if (!r.get("unit_wkt").empty()) {
      try {
        MultiPolygon2 mp;
        const std::string wkt = r.get("unit_wkt");
        if (wkt.rfind("POLYGON", 0) == 0) {
          Polygon2 p;
          boost::geometry::read_wkt(wkt, p);
          mp.push_back(p);
        } else {
          boost::geometry::read_wkt(wkt, mp);
        }
        boost::geometry::correct(mp);
        outline = mp;
      } catch (const std::exception& e) {
        return reject(r, ErrorCode::kFieldType, "unit_wkt",
                      std::string("unit outline is not a WKT polygon (") + e.what() + ")");
      }
    }
    // The share is read before the party is created: a rejected row adds no party.
    Share share = Share::whole();
    const std::string share_text = r.get("share");
    const bool names_party = !r.get("party_id").empty() || !r.get("party_name").empty() ||
                             !r.get("party_identity").empty();
    if (!share_text.empty()) {
      try {
        share = Share::parse(share_text);
      } catch (const StrataError& e) {
        return reject(r, ErrorCode::kFieldType, "share", e.what());
      }
    } else if (names_party) {
      return reject(r, ErrorCode::kFieldNull, "share", "a party without its share (權利範圍)");
    }
    for (const char* key : {"valid_from", "valid_to"})
      if (!r.get(key).empty() && !is_iso_date(r.get(key)))
        return reject(r, ErrorCode::kFieldType, key,
                      std::string(key) + " '" + r.get(key) + "' is not a date YYYY-MM-DD");
    if (!r.get("valid_from").empty() && !r.get("valid_to").empty() &&
        r.get("valid_to") <= r.get("valid_from"))
      return reject(r, ErrorCode::kFieldType, "valid_to",
                    "the right ends (" + r.get("valid_to") + ") before it begins (" +
                        r.get("valid_from") + ")");
    const std::string party = party_for(r);

    auto [it, fresh] = baunit_of.try_emplace(no, model.baunits.size());
    if (fresh) {
      BAUnit b;
      b.id = no;
      b.address = r.get("address");
      b.use = r.get("use");
      b.kind = *kind;
      b.registered_area_m2 = area;
      b.building = r.get("building_id");
      b.floors = *floors;
      b.unit_polygon = outline;
      b.source = r.source;
      std::stringstream parcels(r.get("parcels"));
      for (std::string p; std::getline(parcels, p, ';');) {
        while (!p.empty() && p.front() == ' ') p.erase(p.begin());
        while (!p.empty() && p.back() == ' ') p.pop_back();
        if (!p.empty()) b.parcels.push_back(p);
      }
      model.baunits.push_back(std::move(b));
    } else {
      // Rows of one building number repeat the unit's data: it must agree.
      const BAUnit& b = model.baunits[it->second];
      if (b.floors != *floors || b.kind != *kind || std::abs(b.registered_area_m2 - area) > 1e-9 ||
          b.building != r.get("building_id"))
        reject(r, ErrorCode::kFieldType, "building_no",
               "building number " + no + " is described differently than at " + b.source +
                   " (floors, kind, area or building); the first description is kept",
               FeatureStatus::kWarning);
    }
    Right right;
    right.baunit = no;
    right.party = party;
    right.share = share;
    right.source = r.source;
    if (!r.get("right_type").empty()) right.type = r.get("right_type");
    right.valid_from = r.get("valid_from");
    right.valid_to = r.get("valid_to");
    if (!share_text.empty() || !party.empty()) model.rights.push_back(std::move(right));
  }
};

std::string canonical_column(const std::string& header) {
  for (const auto& [key, names] : aliases())
    for (const auto& n : names)
      if (n == header) return key;
  return "";
}

void read_table_rows(const std::string& path, Builder& b, const std::string& encoding) {
  Table t = read_table(path, encoding);
  std::vector<std::string> keys;
  for (const auto& c : t.columns) keys.push_back(canonical_column(c));
  for (const char* required : {"building_no", "floors", "area_m2"})
    if (std::find(keys.begin(), keys.end(), required) == keys.end()) {
      std::string names;
      for (const auto& c : t.columns) names += (names.empty() ? "" : ", ") + c;
      throw StrataError(ErrorCode::kFieldMissing,
                        path + ": the registry has no '" + std::string(required) +
                            "' column (columns: " + names + "); see docs/registry.md");
    }
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    Row r;
    r.row = t.row_numbers[i];
    r.source = path + ":" + std::to_string(t.row_numbers[i] + 1);  // +1: the header line
    for (std::size_t c = 0; c < keys.size() && c < t.rows[i].size(); ++c)
      if (!keys[c].empty()) r.values[keys[c]] = t.rows[i][c];
    b.add(r);
  }
}

std::string json_text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

void read_json(const std::string& path, Builder& b) {
  const nlohmann::json doc = json_document::read(path);
  if (!doc.is_object() || !doc.contains("units") || !doc["units"].is_array())
    throw StrataError(
        ErrorCode::kFieldMissing,
        path + ": a JSON registry is an object with a \"units\" array; see docs/registry.md");
  // Parties declared on their own (a party may hold no right: 808).
  if (doc.contains("parties") && doc["parties"].is_array())
    for (const auto& p : doc["parties"]) {
      if (!p.is_object()) continue;
      Row r;
      r.values["party_id"] = json_text(p.value("id", nlohmann::json()));
      r.values["party_name"] = json_text(p.value("name", nlohmann::json()));
      r.values["party_identity"] = json_text(p.value("identity_number", nlohmann::json()));
      b.party_for(r);
    }
  std::int64_t n = 0;
  for (const auto& u : doc["units"]) {
    ++n;
    Row base;
    base.row = n;
    base.source = path + ": units[" + std::to_string(n - 1) + "]";
    if (!u.is_object()) {
      b.reject(base, ErrorCode::kFieldType, "", "a unit must be a JSON object");
      continue;
    }
    for (const char* key : {"building_no", "building_id", "address", "use", "floors", "unit_kind",
                            "area_m2", "unit_wkt"})
      base.values[key] = json_text(u.value(key, nlohmann::json()));
    if (u.contains("parcels") && u["parcels"].is_array()) {
      std::string joined;
      for (const auto& p : u["parcels"]) joined += (joined.empty() ? "" : ";") + json_text(p);
      base.values["parcels"] = joined;
    }
    const auto rights = u.value("rights", nlohmann::json::array());
    if (!rights.is_array() || rights.empty()) {
      b.add(base);  // a unit without any right
      continue;
    }
    for (const auto& right : rights) {
      Row r = base;
      r.values["party_id"] = json_text(right.value("party", nlohmann::json()));
      r.values["share"] = json_text(right.value("share", nlohmann::json()));
      r.values["right_type"] = json_text(right.value("type", nlohmann::json()));
      r.values["valid_from"] = json_text(right.value("valid_from", nlohmann::json()));
      r.values["valid_to"] = json_text(right.value("valid_to", nlohmann::json()));
      b.add(r);
    }
  }
}

}  // namespace

OwnershipModel read_registry(const std::string& path, std::vector<FeatureIssue>& issues,
                             const std::string& encoding) {
  Builder b{path, issues, {}, {}, {}};
  const bool json = path.size() > 5 && path.compare(path.size() - 5, 5, ".json") == 0;
  if (json)
    read_json(path, b);
  else
    read_table_rows(path, b, encoding);
  return std::move(b.model);
}

}  // namespace strata::io
