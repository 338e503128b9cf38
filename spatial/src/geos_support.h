#pragma once
// GEOS through its reentrant C API: a context per thread, owning pointers, and conversions from
// strata's Boost.Geometry types (private to spatial/).
#include <geos_c.h>

#include <memory>
#include <string>
#include <vector>

#include "strata/core/error.h"
#include "strata/core/geometry.h"

namespace strata::spatial {

inline void on_geos_message(const char* message, void* sink) {
  *static_cast<std::string*>(sink) = message ? message : "";
}

// One GEOS context per thread (GEOS contexts are not shared between threads); geometries made
// in one context may be read from another.
class Geos {
 public:
  Geos() : h_(GEOS_init_r()) {
    GEOSContext_setErrorMessageHandler_r(h_, on_geos_message, &message_);
  }
  ~Geos() { GEOS_finish_r(h_); }
  Geos(const Geos&) = delete;
  Geos& operator=(const Geos&) = delete;
  GEOSContextHandle_t handle() const { return h_; }
  const std::string& message() const { return message_; }  // GEOS's last error message

  // Throws with GEOS's own message when a GEOS call returned nothing.
  GEOSGeometry* check(GEOSGeometry* g, const char* what) const {
    if (!g)
      throw StrataError(ErrorCode::kInternal, std::string("GEOS ") + what + " failed: " + message_);
    return g;
  }

 private:
  GEOSContextHandle_t h_;
  std::string message_;
};

struct GeomDeleter {
  GEOSContextHandle_t h;
  void operator()(GEOSGeometry* g) const {
    if (g) GEOSGeom_destroy_r(h, g);
  }
};
using GeomPtr = std::unique_ptr<GEOSGeometry, GeomDeleter>;
using SharedGeom = std::shared_ptr<GEOSGeometry>;

inline GeomPtr owned(const Geos& geos, GEOSGeometry* g, const char* what) {
  return GeomPtr(geos.check(g, what), GeomDeleter{geos.handle()});
}
inline SharedGeom shared(const Geos& geos, GEOSGeometry* g, const char* what) {
  return SharedGeom(geos.check(g, what), GeomDeleter{geos.handle()});
}

inline GEOSGeometry* ring_to_geos(const Geos& geos, const Ring2& ring) {
  std::vector<double> xy;
  xy.reserve(2 * ring.size() + 2);
  for (const auto& p : ring) xy.insert(xy.end(), {p.x(), p.y()});
  if (!ring.empty() && (ring.front().x() != ring.back().x() || ring.front().y() != ring.back().y()))
    xy.insert(xy.end(), {ring.front().x(), ring.front().y()});
  GEOSCoordSequence* seq = GEOSCoordSeq_copyFromBuffer_r(
      geos.handle(), xy.data(), static_cast<unsigned>(xy.size() / 2), 0, 0);
  if (!seq) geos.check(nullptr, "coordinate sequence");
  return geos.check(GEOSGeom_createLinearRing_r(geos.handle(), seq), "linear ring");
}

// Hands owned geometries over to a GEOS constructor that takes them (raw pointers).
inline std::vector<GEOSGeometry*> release_all(std::vector<GeomPtr>& parts) {
  std::vector<GEOSGeometry*> raw;
  raw.reserve(parts.size());
  for (auto& p : parts) raw.push_back(p.release());
  return raw;
}

inline GeomPtr to_geos(const Geos& geos, const MultiPolygon2& mp) {
  // Owned until GEOS takes them, so that a failure half-way leaks nothing.
  std::vector<GeomPtr> polygons;
  for (const auto& poly : mp) {
    if (poly.outer().size() < 4) continue;
    GeomPtr shell(ring_to_geos(geos, poly.outer()), GeomDeleter{geos.handle()});
    std::vector<GeomPtr> holes;
    for (const auto& inner : poly.inners())
      if (inner.size() >= 4)
        holes.emplace_back(ring_to_geos(geos, inner), GeomDeleter{geos.handle()});
    auto raw_holes = release_all(holes);
    polygons.push_back(
        owned(geos,
              GEOSGeom_createPolygon_r(geos.handle(), shell.release(), raw_holes.data(),
                                       static_cast<unsigned>(raw_holes.size())),
              "polygon"));
  }
  auto raw = release_all(polygons);
  return owned(geos,
               GEOSGeom_createCollection_r(geos.handle(), GEOS_MULTIPOLYGON, raw.data(),
                                           static_cast<unsigned>(raw.size())),
               "multipolygon");
}

inline double area_of(const Geos& geos, const GEOSGeometry* g) {
  double a = 0;
  if (!GEOSArea_r(geos.handle(), g, &a)) geos.check(nullptr, "area");
  return a;
}

inline GeomPtr to_geos(const Geos& geos, const MultiLinestring2& lines) {
  std::vector<GeomPtr> parts;
  for (const auto& line : lines) {
    if (line.size() < 2) continue;
    std::vector<double> xy;
    xy.reserve(2 * line.size());
    for (const auto& p : line) xy.insert(xy.end(), {p.x(), p.y()});
    GEOSCoordSequence* seq = GEOSCoordSeq_copyFromBuffer_r(
        geos.handle(), xy.data(), static_cast<unsigned>(line.size()), 0, 0);
    if (!seq) geos.check(nullptr, "coordinate sequence");
    parts.push_back(owned(geos, GEOSGeom_createLineString_r(geos.handle(), seq), "line string"));
  }
  auto raw = release_all(parts);
  return owned(geos,
               GEOSGeom_createCollection_r(geos.handle(), GEOS_MULTILINESTRING, raw.data(),
                                           static_cast<unsigned>(raw.size())),
               "multilinestring");
}

}  // namespace strata::spatial
