#include "ogr_support.h"

#include <unistd.h>

#include <cpl_conv.h>
#include <cpl_string.h>

#include <map>
#include <stdexcept>

#include "strata/core/atomic_file.h"
#include "strata/io/gdal_support.h"

namespace strata::plugins {
namespace {

std::string gdal_message() { return io::take_gdal_error(); }

OGRLinearRing ring_of(const Ring2& r) {
  OGRLinearRing ring;
  for (const auto& p : r) ring.addPoint(p.x(), p.y());
  ring.closeRings();
  return ring;
}

OGRLinearRing ring_of(const Ring3& r) {
  OGRLinearRing ring;
  for (const auto& p : r) ring.addPoint(p[0], p[1], p[2]);
  ring.closeRings();
  return ring;
}

}  // namespace

std::vector<AttributeColumn> attribute_columns(const ExportLayer& layer) {
  std::vector<AttributeColumn> columns;
  std::map<std::string, std::size_t> at;
  for (const auto& f : layer.features)
    for (const auto& [key, value] : f.attributes.items()) {
      if (value.is_null()) {
        if (!at.count(key)) {
          at[key] = columns.size();
          columns.push_back({key, OFTMaxType, OFSTNone});  // typed by a later non-null value
        }
        continue;
      }
      AttributeColumn c{key, OFTString, OFSTNone};
      if (value.is_boolean()) {
        c.type = OFTInteger;
        c.subtype = OFSTBoolean;
      } else if (value.is_number_integer()) {
        c.type = OFTInteger64;
      } else if (value.is_number()) {
        c.type = OFTReal;
      } else if (value.is_array() || value.is_object()) {
        c.subtype = OFSTJSON;
      }
      auto it = at.find(key);
      if (it == at.end()) {
        at[key] = columns.size();
        columns.push_back(c);
        continue;
      }
      AttributeColumn& old = columns[it->second];
      if (old.type == OFTMaxType) {
        old = c;
        continue;
      }
      if (old.type == c.type && old.subtype == c.subtype) continue;
      // Integers and reals widen to reals; anything else mixed becomes text.
      if ((old.type == OFTInteger64 && c.type == OFTReal) ||
          (old.type == OFTReal && c.type == OFTInteger64))
        old.type = OFTReal, old.subtype = OFSTNone;
      else
        old.type = OFTString, old.subtype = OFSTNone;
    }
  for (auto& c : columns)
    if (c.type == OFTMaxType) c.type = OFTString;  // only nulls
  return columns;
}

void create_columns(OGRLayer& layer, const std::vector<AttributeColumn>& columns,
                    const std::string& what) {
  for (const auto& c : columns) {
    OGRFieldDefn d(c.name.c_str(), c.type);
    d.SetSubType(c.subtype);
    if (layer.CreateField(&d) != OGRERR_NONE)
      throw std::runtime_error(what + ": cannot create field '" + c.name + "' (" + gdal_message() +
                               ")");
  }
}

void set_attributes(OGRFeature& feature, const std::vector<AttributeColumn>& columns,
                    const nlohmann::json& attributes) {
  for (const auto& c : columns) {
    auto it = attributes.find(c.name);
    const int index = feature.GetFieldIndex(c.name.c_str());
    if (index < 0 || it == attributes.end() || it->is_null()) continue;
    const auto& v = *it;
    if (c.type == OFTInteger && c.subtype == OFSTBoolean && v.is_boolean())
      feature.SetField(index, v.get<bool>() ? 1 : 0);
    else if (c.type == OFTInteger64 && v.is_number_integer())
      feature.SetField(index, static_cast<GIntBig>(v.get<std::int64_t>()));
    else if (c.type == OFTReal && v.is_number())
      feature.SetField(index, v.get<double>());
    else if (v.is_string())
      feature.SetField(index, v.get_ref<const std::string&>().c_str());
    else
      feature.SetField(index,
                       v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  }
}

OGRwkbGeometryType ogr_type_of(const ExportLayer& layer) {
  switch (layer.geometry) {
    case GeometryKind::kPolygons:
      return wkbMultiPolygon;
    case GeometryKind::kPoints:
      return layer.has_z ? wkbMultiPoint25D : wkbMultiPoint;
    case GeometryKind::kLines:
      return layer.has_z ? wkbMultiLineString25D : wkbMultiLineString;
    case GeometryKind::kVolume:
      return wkbMultiPolygon25D;
    case GeometryKind::kNone:
      return wkbNone;
  }
  return wkbNone;
}

std::unique_ptr<OGRGeometry> to_ogr_geometry(const ExportLayer& layer, const ExportFeature& f) {
  const auto& g = f.geometry;
  switch (layer.geometry) {
    case GeometryKind::kPolygons: {
      if (g.polygons.empty()) return nullptr;
      auto mp = std::make_unique<OGRMultiPolygon>();
      for (const auto& poly : g.polygons) {
        OGRPolygon p;
        auto outer = ring_of(poly.outer());
        p.addRing(&outer);
        for (const auto& inner : poly.inners()) {
          auto r = ring_of(inner);
          p.addRing(&r);
        }
        mp->addGeometry(&p);
      }
      return mp;
    }
    case GeometryKind::kPoints: {
      if (g.points.empty()) return nullptr;
      auto mp = std::make_unique<OGRMultiPoint>();
      for (const auto& p : g.points) {
        OGRPoint pt = layer.has_z ? OGRPoint(p[0], p[1], p[2]) : OGRPoint(p[0], p[1]);
        mp->addGeometry(&pt);
      }
      return mp;
    }
    case GeometryKind::kLines: {
      if (g.lines.empty()) return nullptr;
      auto ml = std::make_unique<OGRMultiLineString>();
      for (const auto& line : g.lines) {
        OGRLineString ls;
        for (const auto& p : line)
          if (layer.has_z)
            ls.addPoint(p[0], p[1], p[2]);
          else
            ls.addPoint(p[0], p[1]);
        ml->addGeometry(&ls);
      }
      return ml;
    }
    case GeometryKind::kVolume: {
      if (!g.volume) return nullptr;
      auto mp = std::make_unique<OGRMultiPolygon>();
      for (const auto& solid : g.volume->solids)
        for (const auto& shell : solid)
          for (const auto& surface : shell) {
            OGRPolygon p;
            for (const auto& ring : surface) {
              auto r = ring_of(ring);
              p.addRing(&r);
            }
            mp->addGeometry(&p);
          }
      return mp;
    }
    case GeometryKind::kNone:
      return nullptr;
  }
  return nullptr;
}

std::unique_ptr<OGRSpatialReference> spatial_reference(const std::string& crs) {
  if (crs.empty()) return nullptr;
  auto srs = std::make_unique<OGRSpatialReference>();
  srs->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  if (srs->SetFromUserInput(crs.c_str()) != OGRERR_NONE) return nullptr;
  return srs;
}

void write_ogr_dataset(const std::filesystem::path& target, const std::string& driver_name,
                       const std::vector<std::string>& creation_options,
                       const std::function<void(GDALDataset&)>& fill) {
  io::ensure_gdal();
  GDALDriver* driver = GetGDALDriverManager()->GetDriverByName(driver_name.c_str());
  if (!driver) throw std::runtime_error("GDAL has no " + driver_name + " driver");
  CPLStringList options;
  for (const auto& o : creation_options) options.AddString(o.c_str());
  // Written whole or not at all (core/atomic_file.h); the temporary keeps the target's
  // extension, which drivers such as KML and DXF look at.
  replace_file_atomically(target, [&](const std::filesystem::path& temporary) {
    io::reset_gdal_errors();
    auto fail = [&](const std::string& what) {
      throw std::runtime_error(target.string() + ": " + what);
    };
    std::unique_ptr<GDALDataset> ds(
        driver->Create(temporary.c_str(), 0, 0, 0, GDT_Unknown, options.List()));
    if (!ds) fail("cannot be created (" + gdal_message() + ")");
    try {
      fill(*ds);
    } catch (const std::exception& e) {
      ds.reset();
      fail(e.what());
    }
    io::reset_gdal_errors();
    ds.reset();  // flushes and closes
    if (CPLGetLastErrorType() >= CE_Failure) fail("cannot be written (" + gdal_message() + ")");
  });
}

}  // namespace strata::plugins
