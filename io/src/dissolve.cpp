#include "dissolve.h"

#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "ogr_geometry.h"
#include "strata/core/error.h"
#include "strata/core/geometry_validity.h"

namespace strata::io {

std::vector<DissolvedRecord> dissolve_records(std::vector<Record> records,
                                              const std::vector<std::string>& keys,
                                              const KindSpec& kind, const std::string& field,
                                              double metres_per_unit) {
  std::vector<DissolvedRecord> out;
  std::map<std::string, std::size_t> group_of;
  for (std::size_t i = 0; i < records.size(); ++i) {
    auto [it, added] = group_of.emplace(keys[i], out.size());
    if (added) out.emplace_back();
    out[it->second].members.push_back(i);
  }
  for (auto& group : out) {
    const Record& first = records[group.members.front()];
    Record& m = group.record;
    m.kind = first.kind;
    m.id = keys[group.members.front()];
    m.source = first.source;
    for (const auto& spec : kind.fields) {
      if (spec.name == "id") continue;
      bool present = false, equal = true, any_value = false;
      std::size_t nulls = 0;
      double sum = 0;
      const bool summable = spec.additive;
      for (auto i : group.members) {
        auto it = records[i].fields.find(spec.name);
        if (it == records[i].fields.end()) continue;
        if (!present) {
          m.fields[spec.name] = it->second;
          present = true;
        } else if (!(it->second == m.fields[spec.name])) {
          equal = false;
        }
        if (summable && !is_null(it->second)) {
          if (auto d = to_real(it->second)) sum += *d;
          any_value = true;
        } else if (summable) {
          ++nulls;
        }
      }
      if (!present || (equal && !summable)) continue;
      if (summable) {
        if (!any_value) continue;  // null in every member stays null
        m.fields[spec.name] = spec.type == FieldType::kInteger
                                  ? FieldValue{static_cast<std::int64_t>(sum)}
                                  : FieldValue{sum};
        if (nulls > 0) group.partial_sums.push_back({spec.name, nulls});
      } else if (spec.required) {
        // A required field cannot be left empty: the first member's value stays (and is said).
        group.conflicting_fields.push_back(spec.name);
      } else {
        m.fields[spec.name] = FieldValue{};
        group.conflicting_fields.push_back(spec.name);
      }
    }
    // Attributes: the first member's, plus what was merged.
    auto attrs = nlohmann::ordered_json::parse(first.attributes_json, nullptr, false);
    if (!attrs.is_object()) attrs = nlohmann::ordered_json::object();
    attrs["strata_dissolve_field"] = field;
    attrs["strata_dissolved_features"] = group.members.size();
    m.attributes_json =
        attrs.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);

    MultiPolygon2 all;
    for (auto i : group.members) {
      m.repaired |= records[i].repaired;
      for (auto& poly : records[i].geometry) all.push_back(std::move(poly));
      // Points and lines are kept side by side (no union: a path drawn twice stays twice).
      for (auto& p : records[i].points) m.points.push_back(p);
      for (auto& l : records[i].lines) m.lines.push_back(std::move(l));
      m.length_m += records[i].length_m;
    }
    if (kind.geometry != GeometryKind::kPolygon) continue;
    if (group.members.size() == 1) {
      m.geometry = std::move(all);
    } else {
      auto ogr = to_ogr(all);
      std::unique_ptr<OGRGeometry> merged(ogr->UnionCascaded());
      if (!merged || append_polygons(merged.get(), m.geometry).non_polygonal > 0 ||
          m.geometry.empty())
        throw StrataError(ErrorCode::kGeometryUnrepairable,
                          "dissolve by '" + field + "': the union of the " +
                              std::to_string(group.members.size()) + " features with value '" +
                              m.id + "' failed in GEOS");
    }
    m.area_m2 = area_m2(m.geometry, metres_per_unit);
  }
  return out;
}

}  // namespace strata::io
