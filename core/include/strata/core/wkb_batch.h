#pragma once
// Geometries as WKB (OGC well-known binary), back to back in one buffer: the bulk geometry read
// of the store (GeoPackage blobs without their header), handed to GEOS without building an
// intermediate model of every polygon.
#include <cstddef>
#include <span>
#include <vector>

#include "strata/core/geometry.h"

namespace strata {

struct WkbBatch {
  std::vector<unsigned char> bytes;
  std::vector<std::size_t> offsets;  // where each geometry starts; bytes.size() ends the last

  std::size_t size() const { return offsets.size(); }
  bool empty() const { return offsets.empty(); }
  std::span<const unsigned char> operator[](std::size_t i) const {
    const std::size_t end = i + 1 < offsets.size() ? offsets[i + 1] : bytes.size();
    return {bytes.data() + offsets[i], end - offsets[i]};
  }
  void add(const unsigned char* wkb, std::size_t size) {
    offsets.push_back(bytes.size());
    bytes.insert(bytes.end(), wkb, wkb + size);
  }
};

}  // namespace strata
