#pragma once
// Joins table rows to features by one or more key columns (codes or names). Exact matches are
// tried first; only when none exists are both sides normalised (variant characters), so every
// match made through normalisation can be reported. Rows no feature claimed are reported too.
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "strata/core/name_normaliser.h"
#include "strata/io/table.h"

namespace strata::io {

struct JoinStats {
  std::int64_t features = 0;
  std::int64_t matched_exact = 0;
  std::int64_t matched_normalised = 0;
  std::int64_t unmatched_features = 0;
  std::int64_t ambiguous_features = 0;
  std::int64_t table_rows = 0;
  std::int64_t unmatched_rows = 0;
};

struct JoinMatch {
  std::vector<std::size_t> rows;
  bool via_normalisation = false;
  std::string normalised_key;  // for the report
};

class TableJoin {
 public:
  TableJoin(const Table& table, std::vector<std::string> table_keys, NameNormaliser normaliser);

  // Looks up the rows whose key columns equal `key_values`.
  std::optional<JoinMatch> find(const std::vector<std::string>& key_values) const;
  // Marks rows as claimed by a feature.
  void claim(const JoinMatch& match);
  // Rows no feature claimed, as indices into the table.
  std::vector<std::size_t> unclaimed_rows() const;
  const Table& table() const { return table_; }
  std::string key_text(std::size_t row) const;  // "萬華區 / 糖廍里"

 private:
  static std::string compose(const std::vector<std::string>& parts);
  const Table& table_;
  std::vector<int> key_columns_;
  NameNormaliser normaliser_;
  std::unordered_map<std::string, std::vector<std::size_t>> exact_, normalised_;
  std::vector<bool> claimed_;
};

// Reads a normalisation table: a CSV with columns variant,canonical.
NameNormaliser load_normaliser(const std::string& path);

}  // namespace strata::io
