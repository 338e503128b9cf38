#include "strata/core/crs.h"

#include <proj.h>

#include <cmath>
#include <string>

#include "strata/core/error.h"

namespace strata {

// PROJ objects live in the default context; strata's pipeline is single-threaded today.
// When parallel tiles arrive, each worker needs its own PJ_CONTEXT.
struct Crs::Handle {
  PJ* pj = nullptr;
  ~Handle() {
    if (pj) proj_destroy(pj);
  }
};

Crs Crs::from_user_input(std::string_view definition) {
  // strata reports PROJ failures itself; PROJ's own stderr lines would only duplicate them.
  static const bool quiet = (proj_log_level(nullptr, PJ_LOG_NONE), true);
  (void)quiet;
  std::string def(definition);
  PJ* pj = proj_create(nullptr, def.c_str());
  if (pj == nullptr || !proj_is_crs(pj)) {
    if (pj) proj_destroy(pj);
    throw StrataError(ErrorCode::kWrongInputParameters,
                      "'" + def + "' is not a coordinate reference system PROJ knows " +
                          "(expected e.g. EPSG:3826, EPSG:4326 or a WKT definition)");
  }
  Crs crs;
  crs.definition_ = def;
  crs.handle_ = std::make_shared<Handle>();
  crs.handle_->pj = pj;
  return crs;
}

std::string Crs::name() const {
  const char* n = proj_get_name(handle_->pj);
  return n ? n : "";
}

std::optional<std::string> Crs::authority_code() const {
  const char* auth = proj_get_id_auth_name(handle_->pj, 0);
  const char* code = proj_get_id_code(handle_->pj, 0);
  if (auth && code) return std::string(auth) + ":" + code;
  return std::nullopt;
}

std::string Crs::label() const { return authority_code().value_or(name()); }

bool Crs::is_geographic() const {
  PJ_TYPE t = proj_get_type(handle_->pj);
  return t == PJ_TYPE_GEOGRAPHIC_2D_CRS || t == PJ_TYPE_GEOGRAPHIC_3D_CRS ||
         t == PJ_TYPE_GEOGRAPHIC_CRS;
}

std::optional<double> Crs::linear_unit_m() const {
  if (is_geographic()) return std::nullopt;
  PJ* crs = handle_->pj;
  PJ* horizontal = nullptr;
  if (proj_get_type(crs) == PJ_TYPE_COMPOUND_CRS)
    crs = horizontal = proj_crs_get_sub_crs(nullptr, crs, 0);
  PJ* cs = crs ? proj_crs_get_coordinate_system(nullptr, crs) : nullptr;
  double factor = 0;
  const bool ok = cs && proj_cs_get_axis_info(nullptr, cs, 0, nullptr, nullptr, nullptr, &factor,
                                              nullptr, nullptr, nullptr);
  if (cs) proj_destroy(cs);
  if (horizontal) proj_destroy(horizontal);
  if (!ok || !(factor > 0)) return std::nullopt;
  return factor;
}

std::optional<GeoBox> Crs::area_of_use() const {
  GeoBox box{};
  if (!proj_get_area_of_use(nullptr, handle_->pj, &box.west, &box.south, &box.east, &box.north,
                            nullptr) ||
      box.west <= -1000) {
    return std::nullopt;
  }
  return box;
}

std::string Crs::to_wkt() const {
  const char* wkt = proj_as_wkt(nullptr, handle_->pj, PJ_WKT2_2019, nullptr);
  return wkt ? wkt : "";
}

bool Crs::northing_first() const {
  PJ* horizontal = proj_get_type(handle_->pj) == PJ_TYPE_COMPOUND_CRS
                       ? proj_crs_get_sub_crs(nullptr, handle_->pj, 0)
                       : proj_clone(nullptr, handle_->pj);
  if (!horizontal) return false;
  PJ* cs = proj_crs_get_coordinate_system(nullptr, horizontal);
  bool north = false;
  const char* direction = nullptr;
  if (cs &&
      proj_cs_get_axis_info(nullptr, cs, 0, nullptr, nullptr, &direction, nullptr, nullptr, nullptr,
                            nullptr) &&
      direction)
    north = std::string(direction) == "north" || std::string(direction) == "North";
  if (cs) proj_destroy(cs);
  proj_destroy(horizontal);
  return north;
}

bool Crs::equivalent_to(const Crs& other) const {
  return proj_is_equivalent_to(handle_->pj, other.handle_->pj,
                               PJ_COMP_EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS);
}

Transformer::Transformer(const Crs& from, const Crs& to) {
  if (from.equivalent_to(to)) {
    identity_ = true;
    return;
  }
  PJ* raw =
      proj_create_crs_to_crs_from_pj(nullptr, from.handle_->pj, to.handle_->pj, nullptr, nullptr);
  if (raw == nullptr) {
    throw StrataError(ErrorCode::kReprojectionFailed,
                      "PROJ found no transformation from " + from.label() + " to " + to.label());
  }
  PJ* normalised = proj_normalize_for_visualization(nullptr, raw);
  proj_destroy(raw);
  if (normalised == nullptr) {
    throw StrataError(
        ErrorCode::kReprojectionFailed,
        "PROJ could not normalise the axis order from " + from.label() + " to " + to.label());
  }
  pj_ = normalised;
}

Transformer::~Transformer() {
  if (pj_) proj_destroy(static_cast<PJ*>(pj_));
}
Transformer::Transformer(Transformer&& o) noexcept : pj_(o.pj_), identity_(o.identity_) {
  o.pj_ = nullptr;
}
Transformer& Transformer::operator=(Transformer&& o) noexcept {
  if (this != &o) {
    if (pj_) proj_destroy(static_cast<PJ*>(pj_));
    pj_ = o.pj_;
    identity_ = o.identity_;
    o.pj_ = nullptr;
  }
  return *this;
}

bool Transformer::transform(double& x, double& y) const {
  if (identity_) return std::isfinite(x) && std::isfinite(y);
  PJ_COORD c = proj_coord(x, y, 0, 0);
  PJ_COORD r = proj_trans(static_cast<PJ*>(pj_), PJ_FWD, c);
  if (!std::isfinite(r.xy.x) || !std::isfinite(r.xy.y)) return false;
  x = r.xy.x;
  y = r.xy.y;
  return true;
}

namespace {
// Transforms every point of a range in place; false at the first that fails.
template <class Points>
bool transform_points(const Transformer& t, Points& points) {
  for (auto& p : points) {
    double x = p.x(), y = p.y();
    if (!t.transform(x, y)) return false;
    p.x(x);
    p.y(y);
  }
  return true;
}
}  // namespace

bool Transformer::transform(MultiPolygon2& geometry) const {
  for (auto& poly : geometry) {
    if (!transform_points(*this, poly.outer())) return false;
    for (auto& inner : poly.inners())
      if (!transform_points(*this, inner)) return false;
  }
  return true;
}

bool Transformer::transform(MultiPoint2& geometry) const {
  return transform_points(*this, geometry);
}

bool Transformer::transform(MultiLinestring2& geometry) const {
  for (auto& line : geometry)
    if (!transform_points(*this, line)) return false;
  return true;
}

}  // namespace strata
