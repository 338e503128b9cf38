// GDAL/OGR implementation of VectorSource: every OGR vector format (GeoJSON, Shapefile,
// GeoPackage, GML, CSV with WKT, FileGDB, ...).
#include <cpl_string.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <iconv.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "ogr_geometry.h"
#include "strata/core/error.h"
#include "strata/io/gdal_support.h"
#include "strata/io/vector_source.h"
#include "vector_read_cache_state.h"

namespace strata::io {

int VectorSource::field_index(const std::string& name) const {
  const auto& f = fields();
  for (std::size_t i = 0; i < f.size(); ++i)
    if (f[i].name == name) return static_cast<int>(i);
  return -1;
}

namespace {

std::vector<double> point_heights(const OGRGeometry* g) {
  std::vector<double> z;
  if (const auto* p = dynamic_cast<const OGRPoint*>(g)) {
    z.push_back(p->getZ());
  } else if (const auto* c = dynamic_cast<const OGRGeometryCollection*>(g)) {
    for (const auto* part : c) {
      auto more = point_heights(part);
      z.insert(z.end(), more.begin(), more.end());
    }
  }
  return z;
}

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw StrataError(ErrorCode::kInvalidInputFile, path + ": " + what);
}

// GDAL gives every GeoJSON file WGS84 when it has no "crs" member (RFC 7946), so the only way to
// tell a declared CRS from that default is to look for the member in the file's head.
// Where a JSON file stops being valid, for GDAL's terse "Failed to read GeoJSON data".
std::string json_position(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  try {
    const auto parsed = nlohmann::json::parse(text);
    (void)parsed;
  } catch (const nlohmann::json::parse_error& e) {
    std::size_t line =
        1 + static_cast<std::size_t>(std::count(
                text.begin(),
                text.begin() + static_cast<std::ptrdiff_t>(std::min(e.byte, text.size())), '\n'));
    std::string what =
        e.byte >= text.size()
            ? "; the JSON ends early at byte " + std::to_string(e.byte) + " (truncated?)"
            : "; invalid JSON at byte " + std::to_string(e.byte) + ", line " + std::to_string(line);
    return what;
  } catch (...) {
  }
  return {};
}

// Fails unless iconv knows the encoding (a typo would otherwise reject every feature).
void check_encoding(const std::string& encoding) {
  iconv_t cd = iconv_open("UTF-8", encoding.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1))
    throw StrataError(
        ErrorCode::kWrongInputParameters,
        "unknown text encoding '" + encoding + "' (e.g. BIG5, CP950, UTF-8, ISO-8859-1)");
  iconv_close(cd);
}

bool geojson_declares_crs(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string head(65536, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  auto crs = head.find("\"crs\"");
  auto features = head.find("\"features\"");
  return crs != std::string::npos && (features == std::string::npos || crs < features);
}

class GdalVectorSource final : public VectorSource {
 public:
  explicit GdalVectorSource(const VectorSourceOptions& options) : path_(options.path) {
    ensure_gdal();
    std::error_code ec;
    if (!std::filesystem::exists(path_, ec)) fail(path_, "file not found");
    CPLStringList open_options;
    for (const auto& o : options.open_options) open_options.AddString(o.c_str());
    // The Shapefile driver recodes .dbf text itself (from .cpg or ENCODING); other drivers
    // hand bytes through, so strata recodes their text with CPLRecode.
    auto ext = std::filesystem::path(path_).extension().string();
    bool shapefile = ext == ".shp" || ext == ".dbf" || ext == ".SHP" || ext == ".DBF";
    if (ext == ".gml" || ext == ".GML")
      open_options.SetNameValue("WRITE_GFS", "NO");  // leave the user's folder alone
    if (!options.encoding.empty() && shapefile) {
      open_options.SetNameValue("ENCODING", options.encoding.c_str());
    } else {
      recode_from_ = options.encoding;
    }
    if (!options.encoding.empty()) {
      try {
        check_encoding(options.encoding);
      } catch (const StrataError& e) {
        throw StrataError(e.code(), path_ + ": " + e.what());
      }
    }
    if (std::filesystem::is_directory(path_) && ext != ".gdb" && ext != ".GDB")
      fail(path_, "is a folder, not a data file");
    if (shapefile && ext != ".dbf" && ext != ".DBF") {
      auto dbf = std::filesystem::path(path_).replace_extension(ext == ".SHP" ? ".DBF" : ".dbf");
      if (!std::filesystem::exists(dbf))
        fail(path_, "its attribute file " + dbf.filename().string() + " is missing");
    }
    reset_gdal_errors();
    dataset_.reset(GDALDataset::Open(path_.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr,
                                     open_options.List(), nullptr));
    if (!dataset_) {
      std::string why = take_gdal_error("unknown format");
      if (ext == ".geojson" || ext == ".json") why += json_position(path_);
      fail(path_, "not readable as a vector dataset (" + why + ")");
    }
    driver_ = dataset_->GetDriverName();
    if (options.layer.empty()) {
      if (dataset_->GetLayerCount() == 0) fail(path_, "holds no vector layer");
      if (dataset_->GetLayerCount() > 1) {
        std::string names;
        for (auto* l : dataset_->GetLayers())
          names += std::string(names.empty() ? "" : ", ") + l->GetName();
        fail(path_, "holds several layers (" + names +
                        "); name one (layer = \"...\" in a project file, --source-layer on the "
                        "command line)");
      }
      layer_ = dataset_->GetLayer(0);
    } else {
      layer_ = dataset_->GetLayerByName(options.layer.c_str());
      if (!layer_) {
        std::string names;
        for (auto* l : dataset_->GetLayers())
          names += std::string(names.empty() ? "" : ", ") + l->GetName();
        fail(path_, "has no layer '" + options.layer + "' (layers: " + names + ")");
      }
    }
    layer_name_ = layer_->GetName();
    OGRFeatureDefn* defn = layer_->GetLayerDefn();
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
      OGRFieldDefn* f = defn->GetFieldDefn(i);
      FieldType t = FieldType::kText;
      if (f->GetType() == OFTInteger || f->GetType() == OFTInteger64) t = FieldType::kInteger;
      if (f->GetType() == OFTReal) t = FieldType::kReal;
      std::string name = f->GetNameRef();
      if (!recode_from_.empty()) name = recode(name);
      fields_.push_back({name, t});
    }
    // Drivers that keep the feature id in a named column (FileGDB's OBJECTID, GeoPackage's fid)
    // hide it from the fields; expose it so a mapping can name it as users know it.
    fid_column_ = layer_->GetFIDColumn();
    if (!fid_column_.empty() && field_index(fid_column_) < 0)
      fields_.push_back({fid_column_, FieldType::kInteger});
    else
      fid_column_.clear();
    if (const OGRSpatialReference* srs = layer_->GetSpatialRef()) {
      const char* auth = srs->GetAuthorityName(nullptr);
      const char* code = srs->GetAuthorityCode(nullptr);
      // An ESRI .prj carries no EPSG code; PROJ can usually identify it (TWD97 / TM2 -> EPSG:3826).
      std::unique_ptr<OGRSpatialReference, decltype(&OSRRelease)> match(nullptr, OSRRelease);
      if (!(auth && code)) {
        match.reset(srs->FindBestMatch(90));
        if (match) {
          auth = match->GetAuthorityName(nullptr);
          code = match->GetAuthorityCode(nullptr);
        }
      }
      if (auth && code) {
        crs_ = Crs::from_user_input(std::string(auth) + ":" + code);
      } else {
        char* wkt = nullptr;
        const char* wkt_options[] = {"FORMAT=WKT2_2019", nullptr};
        srs->exportToWkt(&wkt, wkt_options);
        if (wkt) {
          crs_ = Crs::from_user_input(wkt);
          CPLFree(wkt);
        }
      }
    }
    format_default_crs_ = driver_ == "GeoJSON" && !geojson_declares_crs(path_);
  }

  const std::string& path() const override { return path_; }
  const std::string& layer_name() const override { return layer_name_; }
  const std::string& driver_name() const override { return driver_; }
  const std::vector<SourceField>& fields() const override { return fields_; }
  std::optional<Crs> declared_crs() const override { return crs_; }
  bool crs_is_format_default() const override { return format_default_crs_; }
  bool has_geometry_column() const override {
    return layer_->GetLayerDefn()->GetGeomFieldCount() > 0;
  }
  std::vector<std::string> dataset_layers() const override {
    std::vector<std::string> names;
    for (auto* l : dataset_->GetLayers()) names.emplace_back(l->GetName());
    return names;
  }
  DeclaredGeometry declared_geometry() const override {
    const OGRwkbGeometryType type = layer_->GetGeomType();
    DeclaredGeometry out;
    out.z = OGR_GT_HasZ(type) != 0;
    switch (wkbFlatten(type)) {
      case wkbPoint:
      case wkbMultiPoint:
        out.kind = 'P';
        break;
      case wkbLineString:
      case wkbMultiLineString:
        out.kind = 'L';
        break;
      case wkbPolygon:
      case wkbMultiPolygon:
        out.kind = 'A';
        break;
      default:
        break;
    }
    return out;
  }

  // Without forcing: a count that needs a pass over the data is not worth it for progress.
  std::int64_t feature_count() override { return layer_->GetFeatureCount(FALSE); }

  void rewind() override { layer_->ResetReading(); }

  bool next(SourceFeature& out) override {
    reset_gdal_errors();
    OGRFeatureUniquePtr feature(layer_->GetNextFeature());
    // A read error (a truncated .shp, a broken page) fails the whole layer, never just turns
    // the rest of the features into nulls.
    if (CPLGetLastErrorType() >= CE_Failure) {
      fail(path_, "read error at feature " +
                      std::to_string(feature ? feature->GetFID() : last_fid_ + 1) +
                      " (truncated or damaged file?): " + take_gdal_error());
    }
    if (!feature) return false;
    out = SourceFeature{};
    out.fid = feature->GetFID();
    last_fid_ = out.fid;
    out.values.resize(fields_.size());
    const int ogr_fields = static_cast<int>(fields_.size()) - (fid_column_.empty() ? 0 : 1);
    if (!fid_column_.empty()) out.values.back() = static_cast<std::int64_t>(out.fid);
    for (int i = 0; i < ogr_fields; ++i) {
      if (!feature->IsFieldSetAndNotNull(i)) continue;
      switch (fields_[static_cast<std::size_t>(i)].type) {
        case FieldType::kInteger:
          out.values[static_cast<std::size_t>(i)] =
              static_cast<std::int64_t>(feature->GetFieldAsInteger64(i));
          break;
        case FieldType::kReal:
          out.values[static_cast<std::size_t>(i)] = feature->GetFieldAsDouble(i);
          break;
        case FieldType::kText: {
          std::string text = feature->GetFieldAsString(i);
          if (!recode_from_.empty()) text = recode(text);
          if (!is_valid_utf8(text))
            out.invalid_text_fields.push_back(fields_[static_cast<std::size_t>(i)].name);
          out.values[static_cast<std::size_t>(i)] = std::move(text);
          break;
        }
      }
    }
    const OGRGeometry* geom = feature->GetGeometryRef();
    if (!geom) return true;
    out.has_geometry = true;
    std::unique_ptr<OGRGeometry> linear;
    if (geom->hasCurveGeometry()) {
      linear.reset(geom->getLinearGeometry());
      geom = linear.get();
    }
    out.geometry_type = OGRToOGCGeomType(wkbFlatten(geom->getGeometryType()));
    MultiPolygon2 mp;
    std::vector<std::vector<double>> heights;
    PolygonAppend appended = append_polygons(geom, mp);
    if (appended.non_polygonal == 0) {
      out.polygons = std::move(mp);
      out.closed_open_rings = appended.closed_open_rings;
      return true;
    }
    if (MultiPoint2 points; append_points(geom, points)) {
      out.points = std::move(points);
      if (geom->Is3D()) out.point_heights = point_heights(geom);
    } else if (MultiLinestring2 lines; append_lines(geom, lines, &heights)) {
      out.lines = std::move(lines);
      if (geom->Is3D()) out.line_heights = std::move(heights);
    }
    return true;
  }

 private:
  std::string recode(const std::string& text) const {
    char* converted = CPLRecode(text.c_str(), recode_from_.c_str(), CPL_ENC_UTF8);
    std::string out = converted ? converted : text;
    CPLFree(converted);
    return out;
  }

  std::vector<std::string> files() const override {
    std::vector<std::string> out;
    char** list = dataset_->GetFileList();
    for (char** f = list; f && *f; ++f) out.emplace_back(*f);
    CSLDestroy(list);
    return out;
  }

  std::string path_, layer_name_, driver_, recode_from_, fid_column_;
  GDALDatasetUniquePtr dataset_;
  OGRLayer* layer_ = nullptr;
  std::vector<SourceField> fields_;
  std::optional<Crs> crs_;
  bool format_default_crs_ = false;
  std::int64_t last_fid_ = -1;
};

}  // namespace

std::unique_ptr<VectorSource> open_vector_source(const VectorSourceOptions& options) {
  // In a run, a layer read before comes from memory (vector_read_cache.h).
  if (auto cache = active_vector_read_cache())
    return cache->open(options, [&] { return std::make_unique<GdalVectorSource>(options); });
  return std::make_unique<GdalVectorSource>(options);
}

namespace {

std::vector<std::string> list_vector_layers(const std::string& path) {
  ensure_gdal();
  reset_gdal_errors();
  std::unique_ptr<GDALDataset> ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY,
                                                    nullptr, nullptr, nullptr));
  if (!ds)
    throw StrataError(ErrorCode::kInvalidInputFile, path + ": not readable as a vector dataset (" +
                                                        take_gdal_error("unknown format") + ")");
  std::vector<std::string> names;
  for (auto* l : ds->GetLayers()) names.emplace_back(l->GetName());
  return names;
}

}  // namespace

std::vector<std::string> vector_layer_names(const std::string& path) {
  // In a run, a file's layers are listed once (vector_read_cache.h).
  if (auto cache = active_vector_read_cache())
    return cache->names(path, [&] { return list_vector_layers(path); });
  return list_vector_layers(path);
}

}  // namespace strata::io
