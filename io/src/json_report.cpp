#include "strata/io/json_report.h"

#include "strata/io/gdal_support.h"

namespace strata::io {

nlohmann::json to_json(const Provenance& p) {
  return {{"layer", p.layer},
          {"kind", p.kind},
          {"dataset", p.dataset},
          {"source_layer", p.source_layer},
          {"source_crs", p.source_crs},
          {"crs_origin", p.crs_origin},
          {"sha256", p.sha256},
          {"vintage", p.vintage},
          {"source", p.source_note},
          {"join_table", p.join_table},
          {"join_vintage", p.join_vintage},
          {"join_source", p.join_source},
          {"imported_at", p.imported_at},
          {"features_read", p.features_read},
          {"features_imported", p.features_imported},
          {"features_repaired", p.features_repaired},
          {"features_rejected", p.features_rejected}};
}

nlohmann::json to_json(const FeatureIssue& i) {
  nlohmann::json j = {{"layer", i.layer},
                      {"file", i.file},
                      {"fid", i.fid},
                      {"feature_id", to_valid_utf8(i.feature_id)},
                      {"status", status_name(i.status)},
                      {"code", static_cast<int>(i.code)},
                      {"code_name", error_name(i.code)},
                      {"message", to_valid_utf8(i.message)}};
  if (!i.field.empty()) j["field"] = i.field;
  if (!i.method.empty()) j["method"] = i.method;
  if (i.x && i.y) j["location"] = {*i.x, *i.y};
  return j;
}

nlohmann::json to_json(const JoinStats& s) {
  return {{"features", s.features},
          {"matched_exact", s.matched_exact},
          {"matched_normalised", s.matched_normalised},
          {"unmatched_features", s.unmatched_features},
          {"ambiguous_features", s.ambiguous_features},
          {"table_rows", s.table_rows},
          {"unmatched_rows", s.unmatched_rows}};
}

nlohmann::json fields_to_json(const Record& r) {
  nlohmann::json j = {{"id", r.id}, {"kind", r.kind}};
  for (const auto& [k, v] : r.fields) j[k] = field_value_json<nlohmann::json>(v);
  j["area_m2"] = r.area_m2;
  return j;
}

}  // namespace strata::io
