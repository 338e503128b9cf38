#pragma once
// Coordinate reference systems and transformations through PROJ. Axis order is always
// normalised for GIS use: x = longitude/easting, y = latitude/northing, whatever the CRS's
// official axis order (EPSG:4326 and EPSG:6697 are lat/lon officially).
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/core/geometry.h"

namespace strata {

struct GeoBox {  // longitude/latitude degrees
  double west, south, east, north;
  bool contains(double lon, double lat, double margin_deg = 0.0) const {
    return lon >= west - margin_deg && lon <= east + margin_deg && lat >= south - margin_deg &&
           lat <= north + margin_deg;
  }
};

class Crs {
 public:
  // Accepts anything PROJ understands: "EPSG:3826", "urn:ogc:def:crs:EPSG::3826", WKT, PROJJSON.
  // Throws StrataError(kWrongInputParameters) when PROJ cannot build it.
  static Crs from_user_input(std::string_view definition);
  static Crs wgs84_lon_lat() { return from_user_input("OGC:CRS84"); }

  const std::string& definition() const { return definition_; }
  std::string name() const;
  std::optional<std::string> authority_code() const;  // "EPSG:3826" where known
  std::string label() const;                          // authority code or name
  bool is_geographic() const;
  // Metres per unit of the horizontal axes of a projected CRS (0.3048006096 for US survey feet);
  // nothing for a geographic CRS or when PROJ does not say.
  std::optional<double> linear_unit_m() const;
  std::optional<GeoBox> area_of_use() const;
  std::string to_wkt() const;
  bool equivalent_to(const Crs& other) const;
  // True when the official first axis is northing/latitude (EPSG:4326, EPSG:6697): files that
  // follow the official order (GML, CityGML) must then swap to strata's x = east.
  bool northing_first() const;

  // A projected CRS of the same geodetic datum whose area of use holds (lon, lat), other than
  // this one: the neighbouring zone of a zoned system (TWD97 / TM2 zone 119, EPSG:3825, for
  // Kinmen when the project is in zone 121, EPSG:3826). Label and name, e.g.
  // "EPSG:3825 (TWD97 / TM2 zone 119)"; nothing when PROJ's database has none.
  std::optional<std::string> neighbouring_zone(double lon, double lat) const;

  struct Handle;  // owns the PJ*

 private:
  std::string definition_;
  std::shared_ptr<Handle> handle_;
  friend class Transformer;
};

class Transformer {
 public:
  Transformer(const Crs& from, const Crs& to);
  ~Transformer();
  Transformer(Transformer&&) noexcept;
  Transformer& operator=(Transformer&&) noexcept;
  Transformer(const Transformer&) = delete;
  Transformer& operator=(const Transformer&) = delete;

  bool is_identity() const { return identity_; }
  // Returns false when PROJ reports a failure or a non-finite coordinate.
  bool transform(double& x, double& y) const;
  bool transform(MultiPolygon2& geometry) const;
  bool transform(MultiPoint2& geometry) const;
  bool transform(MultiLinestring2& geometry) const;

 private:
  void* pj_ = nullptr;  // PJ*, kept opaque so PROJ's header stays out of users' includes
  bool identity_ = false;
};

}  // namespace strata
