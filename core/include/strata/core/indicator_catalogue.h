#pragma once
// The urban indicators strata computes, in one registry (docs/indicators.md). Each indicator is
// a group of layers named in the [indicators] section, measured per district by one of four
// measures, and the columns its formulas derive from that measure. The project-file loader
// (io), the computation (spatial), the summaries and the report (engine) all read this list.
//
// Adding an indicator: its file in core/src/indicators/ and one line in
// core/src/indicator_catalogue.cpp; the measure, the columns, the per-district and city
// formulas, the ISO 37120 numbers, its project-file parameters and the text of its summary
// line are all said there.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata {

// How a group's selected features are measured per district: area of the union of polygons,
// number of points, length of the union of lines, or registered residential units of the
// ownership model counted with and without a title (15.3).
enum class IndicatorMeasure { kArea, kCount, kLength, kUnits };

// A value given to an indicator in the [indicators] section (paving_target_m2 = 39237).
struct IndicatorParameterValue {
  std::optional<double> number;
  std::string text;
  std::vector<std::string> list;
  int line = 0;
};
using IndicatorParameters = std::map<std::string, IndicatorParameterValue>;

struct IndicatorParameter {
  enum class Type { kPositiveNumber, kDate, kTextList };
  std::string name;  // the [indicators] key
  Type type;
  std::string expected;  // "a positive number of square metres": for the message of a bad value
  std::vector<std::string> default_list;  // kTextList when not given
};

struct IndicatorColumn {
  std::string key;
  bool integer = false;
  int decimals = 1;       // in the text summary
  bool mapped = false;    // a rate that compares across districts: mapped by default in the report
  bool headline = false;  // its city value is a figure at the top of the report
};

// A column's entry in indicators.json's `definitions` (the derived ones; plain sums are
// documented in docs/indicators.md only).
struct IndicatorDefinition {
  std::string key, name, unit, iso37120_2018, iso37120_2014, formula;
};

struct IsoNumber {
  std::string edition;  // "2018" or "2014"
  std::string number;   // "21.1"
};

// What a formula gets for one row (a district, a village or all districts together).
struct IndicatorInputs {
  double measured = 0;  // m², points, m or units
  double untitled = 0;  // kUnits: units without a title
  std::optional<double> population;
  double zone_area_m2 = 0;
  bool city = false;  // the all-districts row
  const IndicatorParameters* parameters = nullptr;

  bool per_capita() const { return population && *population > 0; }
  std::optional<double> number(const std::string& parameter) const;
};

// Sets one of the indicator's columns for the row (nothing: left empty).
class IndicatorRowValues {
 public:
  virtual ~IndicatorRowValues() = default;
  virtual void set(std::string_view column, std::optional<double> value) = 0;
};

struct Indicator {
  std::string key;   // [indicators] key: "green"
  std::string what;  // in messages: "green"
  IndicatorMeasure measure = IndicatorMeasure::kArea;
  // Kinds of the layers it takes (kUnits takes the legal spaces of `units build --save`).
  std::vector<std::string> layer_kinds;
  std::vector<IsoNumber> iso;  // the 2018 number first where there is one
  std::vector<IndicatorParameter> parameters;
  std::vector<IndicatorColumn> columns;
  std::vector<IndicatorDefinition> definitions;
  void (*fill)(const IndicatorInputs&, IndicatorRowValues&) = nullptr;
  // The row's part of the text summary: {column} is the row's value (with the column's
  // decimals, "-" when empty). `city_summary`: a line after the rows, written only when each
  // {name} is a given parameter or a value of the city row.
  std::string summary, city_summary;
};

// Every indicator, in the order of docs/indicators.md (and of the columns).
const std::vector<Indicator>& indicators();
const Indicator* find_indicator(std::string_view key);
// The indicator an ISO 37120 number names ("21.1" or "2018:21.1", "19.1" only as
// "2014:19.1": in ISO 37120:2018, 19 is another theme) or a key; null for none.
const Indicator* indicator_named(std::string_view name);
// "ISO 37120 21.1, 21.2, …; or green, paving, …": what `compute` accepts, for messages.
std::string indicator_names_help();
// The indicator a parameter belongs to; null for none.
const Indicator* indicator_with_parameter(std::string_view parameter);
const IndicatorColumn* find_indicator_column(std::string_view key);

}  // namespace strata
