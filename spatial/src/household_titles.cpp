#include "strata/spatial/household_titles.h"

#include <algorithm>
#include <set>

#include "geos_support.h"
#include "strata/core/error.h"
#include "strata/spatial/unit_index.h"

namespace strata::spatial {
namespace {

std::string text_of(const nlohmann::json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_number()) return j.dump();
  return {};
}

bool in_force(const nlohmann::json& right, const std::string& day) {
  const std::string from = text_of(right.value("valid_from", nlohmann::json()));
  const std::string to = text_of(right.value("valid_to", nlohmann::json()));
  if (day.empty()) return to.empty();  // current: not ended (as the 806 check reads them)
  return (from.empty() || from <= day) && (to.empty() || day < to);
}

// A selection's test on a legal space: its id, a text attribute, or registered_area_m2.
bool is_selected(const io::LayerSelection& sel, const std::string& id,
                 const nlohmann::json& attributes) {
  if (sel.field.empty()) return true;
  if (sel.field == "id")
    return std::find(sel.values.begin(), sel.values.end(), id) != sel.values.end();
  const nlohmann::json v = attributes.value(sel.field, nlohmann::json());
  if (!sel.values.empty()) {
    const std::string t = text_of(v);
    return !t.empty() && std::find(sel.values.begin(), sel.values.end(), t) != sel.values.end();
  }
  if (!v.is_number()) return false;
  const double x = v.get<double>();
  return (!sel.min || x >= *sel.min) && (!sel.max || x <= *sel.max);
}

std::optional<Point2> point_inside(const Geos& geos, const MultiPolygon2& outline) {
  if (outline.empty()) return std::nullopt;
  GeomPtr g = to_geos(geos, outline);
  GeomPtr p(GEOSPointOnSurface_r(geos.handle(), g.get()), GeomDeleter{geos.handle()});
  if (!p || GEOSisEmpty_r(geos.handle(), p.get()) != 0) return std::nullopt;
  double x = 0, y = 0;
  if (!GEOSGeomGetX_r(geos.handle(), p.get(), &x) || !GEOSGeomGetY_r(geos.handle(), p.get(), &y))
    return std::nullopt;
  return Point2(x, y);
}

}  // namespace

std::optional<std::string> missing_title(const nlohmann::json& rights, const TitleRules& rules) {
  if (!rights.is_array() || rights.empty()) return "no right registered";
  bool title_type = false, with_party = false;
  for (const auto& r : rights) {
    if (!r.is_object()) continue;
    const std::string type = text_of(r.value("type", nlohmann::json()));
    if (std::find(rules.title_rights.begin(), rules.title_rights.end(), type) ==
        rules.title_rights.end())
      continue;
    title_type = true;
    const std::string share = text_of(r.value("share", nlohmann::json()));
    if (text_of(r.value("party", nlohmann::json())).empty() || share == "0" ||
        share.rfind("0/", 0) == 0)
      continue;
    with_party = true;
    if (in_force(r, rules.as_of)) return std::nullopt;
  }
  if (!title_type) return "only other rights";
  if (!with_party) return "title without a party";
  return rules.as_of.empty() ? "title ended" : "title not in force on " + rules.as_of;
}

HouseholdUnits read_household_units(io::Store& store,
                                    const std::vector<io::LayerSelection>& selections,
                                    const TitleRules& rules) {
  HouseholdUnits out;
  Geos geos;
  std::set<std::string> seen;
  for (const auto& sel : selections) {
    const auto layer = store.layer(sel.layer);
    if (!layer)
      throw StrataError(ErrorCode::kWrongInputParameters,
                        store.path().string() + ": the store has no layer '" + sel.layer +
                            "' (write the ownership model with strata units build --store "
                            "PROJECT --save)");
    if (layer->provenance.kind != "legal_space")
      throw StrataError(ErrorCode::kWrongInputParameters,
                        "layer '" + sel.layer + "' is of kind " + layer->provenance.kind +
                            ", expected legal_space (written by strata units build --save)");
    std::int64_t spaces = 0, without_volume = 0, selected = 0;
    store.for_each_volume(sel.layer, [&](const CityObject& o) {
      // A common part or annex registered without an outline is a unit without a volume.
      ++(o.geometries.empty() ? without_volume : spaces);
      const nlohmann::json a = nlohmann::json::parse(o.attributes_json, nullptr, false);
      if (!a.is_object() || !a.contains("building_no"))
        throw StrataError(ErrorCode::kStoreError,
                          store.path().string() + ": layer '" + sel.layer + "', legal space '" +
                              o.id + "': its attributes are not the JSON units build writes");
      if (text_of(a.value("unit_kind", nlohmann::json())) != "main") {
        ++out.other_kinds;
        return true;
      }
      if (!is_selected(sel, o.id, a)) return true;
      const std::string no = text_of(a["building_no"]);
      if (!seen.insert(no).second) return true;
      ++selected;
      HouseholdUnit u;
      u.building_no = no;
      const auto g = a.find("strata:generated");
      u.generated = g != a.end() && g->is_boolean() && g->get<bool>();
      if (auto prism = UnitIndex::prism_of(o)) u.location = point_inside(geos, prism->outline);
      const auto why = missing_title(a.value("rights", nlohmann::json()), rules);
      u.titled = !why;
      if (why) {
        u.reason = *why;
        out.untitled_by_reason[*why] = out.untitled_by_reason.value(*why, 0) + 1;
      }
      out.units.push_back(std::move(u));
      return true;
    });
    out.selections.push_back(
        {{"layer", sel.layer},
         {"field", sel.field.empty() ? nlohmann::json(nullptr) : nlohmann::json(sel.field)},
         {"values", sel.values},
         {"min", sel.min ? nlohmann::json(*sel.min) : nlohmann::json(nullptr)},
         {"max", sel.max ? nlohmann::json(*sel.max) : nlohmann::json(nullptr)},
         {"legal_spaces", spaces},
         {"units_without_volume", without_volume},
         {"features", selected}});
  }
  return out;
}

}  // namespace strata::spatial
