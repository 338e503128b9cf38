#include "strata/core/model_views.h"

#include "strata/core/feature_issue.h"

namespace strata {

const FieldValue& Record::field(const std::string& name) const {
  static const FieldValue null_value;
  auto it = fields.find(name);
  return it == fields.end() ? null_value : it->second;
}

std::string_view status_name(FeatureStatus status) {
  switch (status) {
    case FeatureStatus::kImported:
      return "imported";
    case FeatureStatus::kRepaired:
      return "repaired";
    case FeatureStatus::kRejected:
      return "rejected";
    case FeatureStatus::kWarning:
      return "warning";
  }
  return "?";
}

District District::from(const Record& r) {
  District d;
  d.id = r.id;
  d.name = to_text(r.field("name"));
  d.code = to_text(r.field("code"));
  d.parent_code = to_text(r.field("parent_code"));
  d.parent_name = to_text(r.field("parent_name"));
  d.level = r.kind == "village" ? AdminLevel::kVillage : AdminLevel::kDistrict;
  d.population = to_integer(r.field("population"));
  d.households = to_integer(r.field("households"));
  d.vintage = to_text(r.field("vintage"));
  d.area_m2 = r.area_m2;
  return d;
}

PlanUnit PlanUnit::from(const Record& r) {
  PlanUnit p;
  p.id = r.id;
  p.zone_code = to_text(r.field("zone_code"));
  p.zone_class = to_text(r.field("zone_class"));
  p.zone_name = to_text(r.field("zone_name"));
  p.plan_code = to_text(r.field("plan_code"));
  p.plan_name = to_text(r.field("plan_name"));
  p.bcr = to_real(r.field("bcr"));
  p.far = to_real(r.field("far"));
  p.area_m2 = r.area_m2;
  return p;
}

Parcel Parcel::from(const Record& r) {
  Parcel p;
  p.id = r.id;
  p.section = to_text(r.field("section"));
  p.number = to_text(r.field("number"));
  p.owner_class = to_text(r.field("owner_class"));
  p.manager = to_text(r.field("manager"));
  p.registered_area_m2 = to_real(r.field("registered_area_m2"));
  p.area_m2 = r.area_m2;
  return p;
}

}  // namespace strata
