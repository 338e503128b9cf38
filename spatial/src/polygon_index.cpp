#include "strata/spatial/polygon_index.h"

#include <algorithm>
#include <boost/geometry/algorithms/covered_by.hpp>
#include <boost/geometry/algorithms/envelope.hpp>
#include <boost/geometry/index/rtree.hpp>

namespace strata::spatial {
namespace bgi = boost::geometry::index;

struct PolygonIndex::Tree {
  using Value = std::pair<Box2, std::size_t>;
  bgi::rtree<Value, bgi::rstar<16>> rtree;
};

PolygonIndex::PolygonIndex(std::vector<Record> records)
    : records_(std::move(records)), tree_(std::make_unique<Tree>()) {
  std::vector<Tree::Value> values;
  values.reserve(records_.size());
  for (std::size_t i = 0; i < records_.size(); ++i) {
    Box2 box;
    boost::geometry::envelope(records_[i].geometry, box);
    values.emplace_back(box, i);
  }
  tree_->rtree = decltype(tree_->rtree)(values.begin(), values.end());  // bulk (packing) load
}

PolygonIndex::~PolygonIndex() = default;
PolygonIndex::PolygonIndex(PolygonIndex&&) noexcept = default;
PolygonIndex& PolygonIndex::operator=(PolygonIndex&&) noexcept = default;

std::vector<std::size_t> PolygonIndex::covering(const Point2& point) const {
  std::vector<Tree::Value> candidates;
  tree_->rtree.query(bgi::covers(point), std::back_inserter(candidates));
  std::sort(candidates.begin(), candidates.end(),
            [](auto& a, auto& b) { return a.second < b.second; });
  std::vector<std::size_t> out;
  for (const auto& [box, i] : candidates)
    if (boost::geometry::covered_by(point, records_[i].geometry)) out.push_back(i);
  return out;
}

}  // namespace strata::spatial
