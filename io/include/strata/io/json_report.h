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

}  // namespace strata::io
