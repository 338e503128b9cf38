#include "strata/io/table.h"

#include <set>
#include <unordered_map>

#include "strata/core/error.h"
#include "strata/io/vector_source.h"

namespace strata::io {

int Table::column(const std::string& n) const {
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (columns[i] == n) return static_cast<int>(i);
  return -1;
}

Table read_table(const std::string& path, const std::string& encoding) {
  // Read every CSV column as text: codes such as 0010 must keep their leading zeros.
  VectorSourceOptions options{path, "", {"AUTODETECT_TYPE=NO", "KEEP_SOURCE_COLUMNS=NO"}, encoding};
  auto source = open_vector_source(options);
  Table t;
  t.path = path;
  for (const auto& f : source->fields()) t.columns.push_back(f.name);
  SourceFeature feature;
  std::int64_t row = 0;
  while (source->next(feature)) {
    ++row;
    if (!feature.invalid_text_fields.empty()) {
      throw StrataError(
          ErrorCode::kEncoding,
          path + ": row " + std::to_string(row) + ", column '" +
              feature.invalid_text_fields.front() +
              "' is not valid UTF-8; give the table's encoding: encoding = \"BIG5\" (or the "
              "right one) in a project file, --encoding BIG5 on the command line");
    }
    std::vector<std::string> values;
    values.reserve(feature.values.size());
    for (const auto& v : feature.values) values.push_back(to_text(v));
    t.rows.push_back(std::move(values));
    t.row_numbers.push_back(row);
  }
  return t;
}

namespace {

void apply_lookup(Table& table, const Table& other, const std::string& on,
                  std::vector<FeatureIssue>& issues) {
  int key = table.column(on), other_key = other.column(on);
  if (key < 0 || other_key < 0) {
    throw StrataError(ErrorCode::kFieldMissing,
                      "lookup of table '" + table.name + "' in '" + other.name + "': column '" +
                          on + "' is missing from " + (key < 0 ? table.path : other.path));
  }
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t r = 0; r < other.rows.size(); ++r)
    index.emplace(other.rows[r][static_cast<std::size_t>(other_key)], r);
  std::vector<int> added;  // columns of `other` to append (those `table` lacks)
  for (std::size_t c = 0; c < other.columns.size(); ++c) {
    if (table.column(other.columns[c]) < 0) {
      added.push_back(static_cast<int>(c));
      table.columns.push_back(other.columns[c]);
    }
  }
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    auto& row = table.rows[r];
    auto it = index.find(row[static_cast<std::size_t>(key)]);
    for (int c : added)
      row.push_back(it == index.end() ? std::string()
                                      : other.rows[it->second][static_cast<std::size_t>(c)]);
    if (it == index.end()) {
      FeatureIssue issue;
      issue.layer = table.name;
      issue.file = table.path;
      issue.fid = table.row_numbers[r];
      issue.feature_id = row[static_cast<std::size_t>(key)];
      issue.status = FeatureStatus::kWarning;
      issue.code = ErrorCode::kJoinUnmatchedRow;
      issue.field = on;
      issue.message = "row " + std::to_string(table.row_numbers[r]) + ": " + on + " '" +
                      row[static_cast<std::size_t>(key)] + "' has no row in lookup table '" +
                      other.name + "' (" + other.path + "); its looked-up columns stay empty";
      issues.push_back(std::move(issue));
    }
  }
}

void apply_filter(Table& table, const std::map<std::string, std::string>& filter) {
  std::vector<std::pair<int, std::string>> conditions;
  for (const auto& [column, value] : filter) {
    int c = table.column(column);
    if (c < 0) {
      throw StrataError(ErrorCode::kFieldMissing, "filter of table '" + table.name + "': column '" +
                                                      column + "' does not exist in " + table.path);
    }
    conditions.emplace_back(c, value);
  }
  std::vector<std::vector<std::string>> rows;
  std::vector<std::int64_t> numbers;
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    bool keep = true;
    for (const auto& [c, value] : conditions)
      keep &= table.rows[r][static_cast<std::size_t>(c)] == value;
    if (keep) {
      rows.push_back(std::move(table.rows[r]));
      numbers.push_back(table.row_numbers[r]);
    }
  }
  table.rows = std::move(rows);
  table.row_numbers = std::move(numbers);
}

}  // namespace

std::map<std::string, Table> load_project_tables(const Project& project,
                                                 std::vector<FeatureIssue>& issues,
                                                 const std::vector<std::string>& needed) {
  std::set<std::string> wanted(needed.begin(), needed.end());
  if (needed.empty())
    for (const auto& spec : project.tables) wanted.insert(spec.name);
  for (std::size_t before = 0; before != wanted.size();) {  // add the lookups' tables
    before = wanted.size();
    for (const auto& spec : project.tables)
      if (wanted.count(spec.name) && spec.lookup) wanted.insert(spec.lookup->table);
  }
  std::map<std::string, Table> raw;
  for (const auto& spec : project.tables) {
    if (!wanted.count(spec.name)) continue;
    Table t = read_table(spec.path.string(), spec.encoding);
    t.name = spec.name;
    t.vintage = spec.vintage;
    t.source = spec.source;
    raw.emplace(spec.name, std::move(t));
  }
  // Lookups read the raw (unfiltered) other table, so the order of [[tables]] does not matter.
  std::map<std::string, Table> out;
  for (const auto& spec : project.tables) {
    if (!wanted.count(spec.name)) continue;
    Table t = raw.at(spec.name);
    if (spec.lookup) apply_lookup(t, raw.at(spec.lookup->table), spec.lookup->on, issues);
    apply_filter(t, spec.filter);
    out.emplace(spec.name, std::move(t));
  }
  return out;
}

}  // namespace strata::io
