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

namespace {

// The horizontal single CRS inside a compound CRS (its first part) or a bound CRS (a .prj with
// TOWGS84 becomes one: its source CRS), as a new reference; nullptr when there is none.
PJ* horizontal_crs(PJ* crs) {
  PJ* current = proj_clone(nullptr, crs);
  for (int step = 0; current && step < 4; ++step) {
    const PJ_TYPE type = proj_get_type(current);
    PJ* next = nullptr;
    if (type == PJ_TYPE_COMPOUND_CRS)
      next = proj_crs_get_sub_crs(nullptr, current, 0);
    else if (type == PJ_TYPE_BOUND_CRS)
      next = proj_get_source_crs(nullptr, current);
    else
      return current;
    proj_destroy(current);
    current = next;
  }
  return current;
}

}  // namespace

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
  // The horizontal part decides: a compound (EPSG:6697) or bound CRS over lon/lat is geographic.
  PJ* horizontal = horizontal_crs(handle_->pj);
  if (!horizontal) return false;
  const PJ_TYPE t = proj_get_type(horizontal);
  proj_destroy(horizontal);
  return t == PJ_TYPE_GEOGRAPHIC_2D_CRS || t == PJ_TYPE_GEOGRAPHIC_3D_CRS ||
         t == PJ_TYPE_GEOGRAPHIC_CRS;
}

std::optional<double> Crs::linear_unit_m() const {
  if (is_geographic()) return std::nullopt;
  PJ* horizontal = horizontal_crs(handle_->pj);
  if (!horizontal) return std::nullopt;
  const PJ_TYPE type = proj_get_type(horizontal);
  PJ* cs = type == PJ_TYPE_GEOGRAPHIC_2D_CRS || type == PJ_TYPE_GEOGRAPHIC_3D_CRS
               ? nullptr
               : proj_crs_get_coordinate_system(nullptr, horizontal);
  double factor = 0;
  const bool ok = cs && proj_cs_get_axis_info(nullptr, cs, 0, nullptr, nullptr, nullptr, &factor,
                                              nullptr, nullptr, nullptr);
  if (cs) proj_destroy(cs);
  proj_destroy(horizontal);
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
  PJ* horizontal = horizontal_crs(handle_->pj);
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

std::optional<std::string> Crs::neighbouring_zone(double lon, double lat) const {
  if (is_geographic()) return std::nullopt;
  PJ* base = proj_crs_get_geodetic_crs(nullptr, handle_->pj);
  if (!base) return std::nullopt;
  const char* base_auth = proj_get_id_auth_name(base, 0);
  const char* base_code = proj_get_id_code(base, 0);
  const std::string base_id =
      base_auth && base_code ? std::string(base_auth) + ":" + base_code : std::string();
  proj_destroy(base);
  if (base_id.empty()) return std::nullopt;
  const auto own = authority_code();

  PROJ_CRS_LIST_PARAMETERS* params = proj_get_crs_list_parameters_create();
  PJ_TYPE types[] = {PJ_TYPE_PROJECTED_CRS};
  params->types = types;
  params->typesCount = 1;
  params->bbox_valid = 1;
  params->west_lon_degree = lon;
  params->east_lon_degree = lon;
  params->south_lat_degree = lat;
  params->north_lat_degree = lat;
  params->crs_area_of_use_contains_bbox = 1;
  params->allow_deprecated = 0;
  int count = 0;
  PROJ_CRS_INFO** list = proj_get_crs_info_list_from_database(nullptr, "EPSG", params, &count);
  proj_get_crs_list_parameters_destroy(params);
  std::optional<std::string> found;
  for (int i = 0; list && i < count && !found; ++i) {
    const std::string id = std::string(list[i]->auth_name) + ":" + list[i]->code;
    if (own && id == *own) continue;
    PJ* candidate = proj_create_from_database(nullptr, list[i]->auth_name, list[i]->code,
                                              PJ_CATEGORY_CRS, 0, nullptr);
    if (!candidate) continue;
    PJ* candidate_base = proj_crs_get_geodetic_crs(nullptr, candidate);
    if (candidate_base) {
      const char* a = proj_get_id_auth_name(candidate_base, 0);
      const char* c = proj_get_id_code(candidate_base, 0);
      if (a && c && std::string(a) + ":" + c == base_id)
        found = id + " (" + (list[i]->name ? list[i]->name : "") + ")";
      proj_destroy(candidate_base);
    }
    proj_destroy(candidate);
  }
  if (list) proj_crs_info_list_destroy(list);
  return found;
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
