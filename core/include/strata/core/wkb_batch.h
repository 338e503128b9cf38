#pragma once
// Geometries as WKB (OGC well-known binary), back to back in one buffer: the bulk geometry read
// of the store (GeoPackage blobs without their header), handed to GEOS without building an
// intermediate model of every polygon.
#include <sys/mman.h>

#include <cstddef>
#include <new>
#include <span>
#include <vector>

#include "strata/core/geometry.h"

namespace strata {

// Large buffers straight from mmap, with transparent huge pages asked for: page faults are
// costly on virtual machines, and a million polygons' WKB is some 2.5 GB faulted in 4 KiB at a
// time otherwise.
template <class T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() = default;
  template <class U>
  HugePageAllocator(const HugePageAllocator<U>&) {}
  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < (4u << 20)) return static_cast<T*>(::operator new(bytes));
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    madvise(p, bytes, MADV_HUGEPAGE);
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < (4u << 20))
      ::operator delete(p);
    else
      munmap(p, bytes);
  }
  template <class U>
  bool operator==(const HugePageAllocator<U>&) const {
    return true;
  }
};

struct WkbBatch {
  std::vector<unsigned char, HugePageAllocator<unsigned char>> bytes;
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
