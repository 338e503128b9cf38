#include "strata/core/indicator_catalogue.h"

namespace strata {

// Each defined in its own file of core/src/indicators/.
Indicator green_indicator();
Indicator paving_indicator();
Indicator recreation_indoor_indicator();
Indicator recreation_outdoor_indicator();
Indicator informal_settlements_indicator();
Indicator green_added_indicator();
Indicator trees_indicator();
Indicator bicycle_paths_indicator();
Indicator households_indicator();

const std::vector<Indicator>& indicators() {
  static const std::vector<Indicator> all = {green_indicator(),
                                             paving_indicator(),
                                             recreation_indoor_indicator(),
                                             recreation_outdoor_indicator(),
                                             informal_settlements_indicator(),
                                             green_added_indicator(),
                                             trees_indicator(),
                                             bicycle_paths_indicator(),
                                             households_indicator()};
  return all;
}

std::optional<double> IndicatorInputs::number(const std::string& parameter) const {
  if (!parameters) return std::nullopt;
  auto it = parameters->find(parameter);
  return it == parameters->end() ? std::nullopt : it->second.number;
}

const Indicator* find_indicator(std::string_view key) {
  for (const auto& i : indicators())
    if (i.key == key) return &i;
  return nullptr;
}

namespace {
// ISO 37120:2014's 19.x must carry its edition: in ISO 37120:2018, 19 is another theme. The
// other 2014 numbers (13.1, 13.2, 15.3, 18.7) are used bare, as the city documents use them.
bool bare_number_allowed(const IsoNumber& n) {
  return n.edition == "2018" || n.number.rfind("19.", 0) != 0;
}
}  // namespace

const Indicator* indicator_named(std::string_view name) {
  if (const Indicator* i = find_indicator(name)) return i;
  for (const auto& i : indicators())
    for (const auto& n : i.iso) {
      if (name == n.edition + ":" + n.number) return &i;
      if (name == n.number && bare_number_allowed(n)) return &i;
    }
  return nullptr;
}

std::string indicator_names_help() {
  std::vector<std::string> bare, with_edition, keys;
  for (const auto& i : indicators()) {
    for (const auto& n : i.iso)
      if (bare_number_allowed(n))
        bare.push_back(n.number);
      else
        with_edition.push_back(n.edition + ":" + n.number);
    keys.push_back(i.key);
  }
  bare.insert(bare.end(), with_edition.begin(), with_edition.end());
  auto joined = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
  };
  return "ISO 37120 " + joined(bare) + "; or " + joined(keys);
}

const Indicator* indicator_with_parameter(std::string_view parameter) {
  for (const auto& i : indicators())
    for (const auto& p : i.parameters)
      if (p.name == parameter) return &i;
  return nullptr;
}

const IndicatorColumn* find_indicator_column(std::string_view key) {
  // Every table has these two, whatever it computes.
  static const std::vector<IndicatorColumn> base = {{"population", true, 0},
                                                    {"district_area_m2", false, 1}};
  for (const auto& c : base)
    if (c.key == key) return &c;
  for (const auto& i : indicators())
    for (const auto& c : i.columns)
      if (c.key == key) return &c;
  return nullptr;
}

}  // namespace strata
