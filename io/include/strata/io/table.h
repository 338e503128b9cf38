#pragma once
// Attribute tables (CSV and any other OGR attribute source), read as text, and the lookup /
// filter steps a project applies to them before joining them to features.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "strata/core/feature_issue.h"
#include "strata/io/project_file.h"

namespace strata::io {

struct Table {
  std::string name;
  std::string path;
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;  // text values, one per column
  std::vector<std::int64_t> row_numbers;       // 1-based data row in the source file
  std::string vintage, source;

  int column(const std::string& name) const;  // -1 when absent
};

// Reads a table through OGR (CSV, XLSX, ODS, DBF, ...). Throws StrataError(kInvalidInputFile).
Table read_table(const std::string& path, const std::string& encoding = {});

// Reads every [[tables]] entry of the project, applies lookups and filters, and reports rows
// that the lookup could not resolve. Tables are returned by name.
// Only the tables named in `needed` are read (with the tables their lookups use); all when empty.
std::map<std::string, Table> load_project_tables(const Project& project,
                                                 std::vector<FeatureIssue>& issues,
                                                 const std::vector<std::string>& needed = {});

}  // namespace strata::io
