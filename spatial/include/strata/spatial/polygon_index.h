#pragma once
// In-memory R-tree (Boost.Geometry, R*-tree) over polygon records, for many point lookups
// against one layer without going back to the store.
#include <memory>
#include <vector>

#include "strata/core/record.h"

namespace strata::spatial {

class PolygonIndex {
 public:
  explicit PolygonIndex(std::vector<Record> records);
  ~PolygonIndex();
  PolygonIndex(PolygonIndex&&) noexcept;
  PolygonIndex& operator=(PolygonIndex&&) noexcept;

  // Indices (input order) of the records whose polygon covers the point, boundary included.
  std::vector<std::size_t> covering(const Point2& point) const;
  const Record& record(std::size_t i) const { return records_[i]; }
  std::size_t size() const { return records_.size(); }

 private:
  struct Tree;
  std::vector<Record> records_;
  std::unique_ptr<Tree> tree_;
};

}  // namespace strata::spatial
