#pragma once
// Shells as vertex ids instead of coordinates. Topology checks (closed, manifold, orientation)
// compare vertices, and two points closer than the snap tolerance are the same vertex, as in
// val3dity.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "strata/core/city_object.h"

namespace strata::spatial::validation {

using Ring = std::vector<int>;
using Face = std::vector<Ring>;  // outer ring, then inner rings
using Triangle = std::array<int, 3>;

struct IndexedShell {
  std::vector<Face> faces;
};

// Merges points closer than `snap` into one vertex (the first one seen keeps its coordinates),
// with a hash grid.
class VertexPool {
 public:
  explicit VertexPool(double snap) : snap_(snap > 0 ? snap : 0), cell_(8 * snap_) {}

  int id(const Point3& p) {
    if (snap_ == 0) {
      auto [it, inserted] = exact_.try_emplace(exact_key(p), static_cast<int>(points_.size()));
      if (inserted) points_.push_back(p);
      return it->second;
    }
    // Cells are 8 snap tolerances wide: a twin can only lie in a neighbouring cell along an
    // axis when the point is within one tolerance of that side (usually no neighbour at all).
    std::array<double, 3> scaled{};
    Key k{};
    std::array<std::array<std::int64_t, 3>, 3> offsets{};  // per axis: 0, then -1 / +1 if near
    std::array<int, 3> n_offsets{};
    for (std::size_t i = 0; i < 3; ++i) {
      // Clamped: an absurd coordinate (1e57, found by fuzzing) would make the cast undefined;
      // far points then share the last cell, which only costs time (the test is exact).
      constexpr double kLimit = 4.0e18;  // < 2^62, so that k ± 1 cannot overflow either
      const double v = p[i] / cell_;
      scaled[i] = std::isnan(v) ? 0.0 : std::clamp(v, -kLimit, kLimit);
      k[i] = static_cast<std::int64_t>(std::floor(scaled[i]));
      const double frac = (scaled[i] - static_cast<double>(k[i])) * cell_;
      offsets[i][0] = 0;
      n_offsets[i] = 1;
      if (frac <= snap_) offsets[i][n_offsets[i]++] = -1;
      if (cell_ - frac <= snap_) offsets[i][n_offsets[i]++] = 1;
    }
    for (int a = 0; a < n_offsets[0]; ++a)
      for (int b = 0; b < n_offsets[1]; ++b)
        for (int c = 0; c < n_offsets[2]; ++c) {
          auto it = cells_.find(Key{k[0] + offsets[0][static_cast<std::size_t>(a)],
                                    k[1] + offsets[1][static_cast<std::size_t>(b)],
                                    k[2] + offsets[2][static_cast<std::size_t>(c)]});
          if (it == cells_.end()) continue;
          for (int candidate = it->second; candidate >= 0;
               candidate = next_in_cell_[static_cast<std::size_t>(candidate)])
            if (distance2(points_[static_cast<std::size_t>(candidate)], p) <= snap_ * snap_)
              return candidate;
        }
    const int fresh = static_cast<int>(points_.size());
    points_.push_back(p);
    auto [it, inserted] = cells_.try_emplace(k, fresh);
    next_in_cell_.push_back(inserted ? -1 : it->second);  // chain: newest first
    if (!inserted) it->second = fresh;
    return fresh;
  }

  const std::vector<Point3>& points() const { return points_; }
  const Point3& operator[](int i) const { return points_[static_cast<std::size_t>(i)]; }

 private:
  using Key = std::array<std::int64_t, 3>;
  struct KeyHash {
    std::size_t operator()(const Key& k) const {
      // Unsigned: the products wrap, as a hash may (signed overflow is undefined).
      return static_cast<std::size_t>(static_cast<std::uint64_t>(k[0]) * 73856093ULL ^
                                      static_cast<std::uint64_t>(k[1]) * 19349663ULL ^
                                      static_cast<std::uint64_t>(k[2]) * 83492791ULL);
    }
  };
  static Key exact_key(const Point3& p) {
    // Exact matching: the bit patterns are the key.
    Key k{};
    for (std::size_t i = 0; i < 3; ++i) {
      double v = p[i] == 0 ? 0.0 : p[i];  // -0 == +0
      std::int64_t bits;
      static_assert(sizeof bits == sizeof v);
      std::memcpy(&bits, &v, sizeof v);
      k[i] = bits;
    }
    return k;
  }
  static double distance2(const Point3& a, const Point3& b) {
    const double dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
    return dx * dx + dy * dy + dz * dz;
  }

  double snap_, cell_;
  std::vector<Point3> points_;
  std::unordered_map<Key, int, KeyHash> cells_;  // newest point of the cell
  std::vector<int> next_in_cell_;                // per point: the previous point of its cell
  std::unordered_map<Key, int, KeyHash> exact_;
};

// A finding local to one shell; the caller adds the object, solid and shell indices.
struct LocalFinding {
  int code;  // ErrorCode value
  int face = -1, ring = -1;
  std::string detail;
  std::optional<Point3> location;
};

}  // namespace strata::spatial::validation
