#pragma once
// JSON forms of model and report types, shared by the CLI's --json output and summary.json.
#include <nlohmann/json.hpp>

#include "strata/core/feature_issue.h"
#include "strata/core/provenance.h"
#include "strata/core/record.h"
#include "strata/io/table_join.h"

namespace strata::io {

nlohmann::json to_json(const Provenance& p);
nlohmann::json to_json(const FeatureIssue& i);
nlohmann::json to_json(const JoinStats& s);
nlohmann::json fields_to_json(const Record& r);  // id, kind, canonical fields, area

// A field value as JSON (null, number or text); Json is nlohmann::json or ordered_json.
template <class Json>
Json field_value_json(const FieldValue& v) {
  if (auto* s = std::get_if<std::string>(&v)) return Json(*s);
  if (auto* n = std::get_if<std::int64_t>(&v)) return Json(*n);
  if (auto* d = std::get_if<double>(&v)) return Json(*d);
  return Json(nullptr);
}

}  // namespace strata::io
