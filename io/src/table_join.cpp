#include "strata/io/table_join.h"

#include "strata/core/error.h"

namespace strata::io {

TableJoin::TableJoin(const Table& table, std::vector<std::string> table_keys,
                     NameNormaliser normaliser)
    : table_(table), normaliser_(std::move(normaliser)), claimed_(table.rows.size(), false) {
  for (const auto& k : table_keys) {
    int c = table.column(k);
    if (c < 0) {
      throw StrataError(ErrorCode::kFieldMissing, "join key column '" + k +
                                                      "' does not exist in table '" + table.name +
                                                      "' (" + table.path + ")");
    }
    key_columns_.push_back(c);
  }
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    std::vector<std::string> parts, norm;
    for (int c : key_columns_) {
      parts.push_back(table.rows[r][static_cast<std::size_t>(c)]);
      norm.push_back(normaliser_.normalise(parts.back()));
    }
    exact_[compose(parts)].push_back(r);
    normalised_[compose(norm)].push_back(r);
  }
}

std::string TableJoin::compose(const std::vector<std::string>& parts) {
  std::string key;
  for (const auto& p : parts) key += p + '\x1f';
  return key;
}

std::optional<JoinMatch> TableJoin::find(const std::vector<std::string>& key_values) const {
  if (auto it = exact_.find(compose(key_values)); it != exact_.end())
    return JoinMatch{it->second, false, {}};
  std::vector<std::string> norm;
  for (const auto& v : key_values) norm.push_back(normaliser_.normalise(v));
  if (auto it = normalised_.find(compose(norm)); it != normalised_.end()) {
    std::string shown;
    for (const auto& n : norm) shown += (shown.empty() ? "" : " / ") + n;
    return JoinMatch{it->second, true, shown};
  }
  return std::nullopt;
}

void TableJoin::claim(const JoinMatch& match) {
  for (auto r : match.rows) claimed_[r] = true;
}

std::vector<std::size_t> TableJoin::unclaimed_rows() const {
  std::vector<std::size_t> out;
  for (std::size_t r = 0; r < claimed_.size(); ++r)
    if (!claimed_[r]) out.push_back(r);
  return out;
}

std::string TableJoin::key_text(std::size_t row) const {
  std::string out;
  for (int c : key_columns_)
    out += (out.empty() ? "" : " / ") + table_.rows[row][static_cast<std::size_t>(c)];
  return out;
}

NameNormaliser load_normaliser(const std::string& path) {
  Table t = read_table(path);
  int variant = t.column("variant"), canonical = t.column("canonical");
  if (variant < 0 || canonical < 0) {
    throw StrataError(ErrorCode::kFieldMissing,
                      path + ": a normalisation table needs the columns variant,canonical");
  }
  NameNormaliser n;
  for (const auto& row : t.rows)
    n.add(row[static_cast<std::size_t>(variant)], row[static_cast<std::size_t>(canonical)]);
  return n;
}

}  // namespace strata::io
