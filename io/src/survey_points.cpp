#include "strata/io/survey_points.h"

#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

#include "strata/core/error.h"
#include "strata/core/open3d_module.h"
#include "strata/io/gdal_support.h"

namespace strata::io {
namespace {

std::string lower_extension(const std::string& path) {
  const auto dot = path.find_last_of('.');
  std::string ext = dot == std::string::npos ? "" : path.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

// The number of bytes the points a PLY or PCD header declares need at the least, against what the
// file holds after its header: Open3D allocates what a header claims before reading, so a
// damaged or hostile header ("element vertex 4000000000") would exhaust memory. Nothing when
// the header cannot be read here (Open3D then refuses the file itself).
std::optional<std::string> header_overclaims(const std::string& path, const std::string& ext) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  in.seekg(0, std::ios::end);
  const auto size = static_cast<double>(in.tellg());
  in.seekg(0);
  std::string line, format;
  double needed = 0, points = 0, per_point = 0;
  bool ascii = false, compressed = false;
  double element_count = 0, element_bytes = 0, width = 0, height = 0;
  bool header_ended = false;
  std::set<std::string> seen;
  std::vector<std::string> fields;
  auto type_bytes = [](const std::string& t) {
    if (t == "char" || t == "uchar" || t == "int8" || t == "uint8") return 1.0;
    if (t == "short" || t == "ushort" || t == "int16" || t == "uint16") return 2.0;
    if (t == "double" || t == "float64") return 8.0;
    return 4.0;
  };
  for (int n = 0; n < 10000 && std::getline(in, line); ++n) {
    std::istringstream words(line);
    std::string key;
    words >> key;
    if (ext == "ply") {
      if (key == "format") words >> format, ascii = format == "ascii";
      if (key == "element") {
        needed += element_count * element_bytes;
        std::string name;
        words >> name >> element_count;
        element_bytes = 0;
        if (name == "vertex") points = element_count;
      }
      if (key == "property") {
        std::string type;
        words >> type;
        element_bytes += ascii ? 2.0 : type == "list" ? 1.0 : type_bytes(type);
      }
      if (key == "end_header") {
        needed += element_count * element_bytes;
        header_ended = true;
        break;
      }
    } else {  // pcd: every header line the format requires, with whole counts
      // Open3D 0.16 trusts these lines (a COUNT it cannot read sends its ASCII reader past the
      // end of a line: SIGSEGV): each must list one well-formed value per field.
      if (!seen.insert(key).second && !key.empty() && key[0] != '#')
        return "its PCD header repeats its " + key + " line";
      std::vector<std::string> values;
      for (std::string w; words >> w;) values.push_back(w);
      if (key == "FIELDS") fields = values;
      auto per_field =
          [&](const std::function<bool(const std::string&)>& ok) -> std::optional<std::string> {
        if (values.size() != fields.size())
          return "its PCD " + key + " line has " + std::to_string(values.size()) + " values for " +
                 std::to_string(fields.size()) + " fields";
        for (const auto& v : values)
          if (!ok(v)) return "its PCD " + key + " line has the value '" + v.substr(0, 20) + "'";
        return std::nullopt;
      };
      std::optional<std::string> bad;
      if (key == "SIZE")
        bad = per_field(
            [](const std::string& v) { return v == "1" || v == "2" || v == "4" || v == "8"; });
      if (key == "TYPE")
        bad = per_field([](const std::string& v) { return v == "F" || v == "I" || v == "U"; });
      if (key == "COUNT")
        bad = per_field([](const std::string& v) {
          return !v.empty() && v.size() < 6 &&
                 v.find_first_not_of("0123456789") == std::string::npos && v != "0";
        });
      if (bad) return bad;
      if (key == "SIZE")
        for (const auto& v : values) per_point += std::stod(v);
      if (key == "POINTS" && !(words >> points)) points = -1;
      if (key == "WIDTH" && !(words >> width)) width = -1;
      if (key == "HEIGHT" && !(words >> height)) height = -1;
      if (key == "DATA") {
        for (const char* required : {"FIELDS", "SIZE", "TYPE", "WIDTH", "HEIGHT", "POINTS"})
          if (!seen.count(required))
            return "its PCD header lacks its " + std::string(required) + " line";
        for (const char* axis : {"x", "y", "z"})
          if (std::find(fields.begin(), fields.end(), axis) == fields.end())
            return "its PCD FIELDS line has no " + std::string(axis);
        if (!(width >= 0) || !(height >= 0) || !(points >= 0) || width * height != points ||
            points != std::floor(points))
          return "its PCD header's WIDTH, HEIGHT and POINTS are not whole counts with WIDTH x "
                 "HEIGHT = POINTS";
        std::string kind;
        words >> kind;
        ascii = kind == "ascii";
        compressed = kind == "binary_compressed";
        needed = points * (ascii ? 2.0 : per_point);
        header_ended = true;
        break;
      }
    }
  }
  // An incomplete header leaves Open3D's own counts unset: it then allocates at random.
  if (!header_ended)
    return ext == "ply" ? std::string("its PLY header does not end (no end_header line)")
                        : std::string("its PCD header has no DATA line");
  const double after_header = size - static_cast<double>(std::max<std::streamoff>(in.tellg(), 0));
  if (compressed) needed /= 64;  // LZF cannot shrink data further than that
  if (!(points >= 0) || needed > after_header)
    return "its header declares " + std::to_string(static_cast<long long>(points)) +
           " points, which need at least " + std::to_string(static_cast<long long>(needed)) +
           " bytes, but the file holds " + std::to_string(static_cast<long long>(after_header)) +
           " after its header (truncated or damaged)";
  return std::nullopt;
}

SurveyPoints read_open3d(const std::string& path, const std::string& ext) {
  if (ext == "ply" || ext == "pcd")
    if (auto why = header_overclaims(path, ext))
      throw StrataError(ErrorCode::kInvalidInputFile, path + ": " + *why);
  std::vector<std::array<double, 3>> cloud;
  const std::string error = open3d_api().read_point_cloud(path, ext, cloud);
  if (!error.empty()) throw StrataError(ErrorCode::kInvalidInputFile, path + ": " + error);
  SurveyPoints out;
  std::string format = ext;
  for (char& c : format) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  out.format = format + " (Open3D)";
  out.points.reserve(cloud.size());
  std::size_t dropped = 0;
  for (const auto& p : cloud) {
    if (!std::isfinite(p[0]) || !std::isfinite(p[1]) || !std::isfinite(p[2])) {
      ++dropped;
      continue;
    }
    out.points.push_back({p[0], p[1], p[2]});
  }
  if (dropped) {
    FeatureIssue i;
    i.file = path;
    i.code = ErrorCode::kFieldType;
    i.status = FeatureStatus::kRejected;
    i.message =
        path + ": " + std::to_string(dropped) + " points without finite x, y and z left out";
    out.issues.push_back(std::move(i));
  }
  return out;
}

SurveyPoints read_ogr(const std::string& path, const std::string& ext) {
  ensure_gdal();
  // CSV: the coordinate columns by their usual names; other formats carry a geometry. (Not
  // KEEP_GEOM_COLUMNS=NO: GDAL 3.6's CSV driver dereferences null with it on some damaged
  // headers, found by fuzz_survey_points; the attribute columns are not used anyway.)
  const char* csv_options[] = {"X_POSSIBLE_NAMES=x,X,easting,Easting,E",
                               "Y_POSSIBLE_NAMES=y,Y,northing,Northing,N",
                               "Z_POSSIBLE_NAMES=z,Z,elevation,Elevation,height,Height,depth,Depth",
                               "AUTODETECT_TYPE=YES", nullptr};
  const bool csv = ext == "csv" || ext == "txt";
  const char* csv_driver[] = {"CSV", nullptr};
  std::unique_ptr<GDALDataset> ds(
      GDALDataset::FromHandle(GDALOpenEx(path.c_str(), GDAL_OF_VECTOR, csv ? csv_driver : nullptr,
                                         csv ? csv_options : nullptr, nullptr)));
  if (!ds || ds->GetLayerCount() < 1)
    throw StrataError(ErrorCode::kUnsupportedFormat,
                      path +
                          ": not a survey format strata reads (PLY, PCD, XYZ, PTS, LAS, CSV with "
                          "x, y, z columns, or a GDAL point layer): " +
                          take_gdal_error());
  OGRLayer* layer = ds->GetLayer(0);
  SurveyPoints out;
  out.format = csv ? "CSV" : std::string(ds->GetDriverName());
  if (const OGRSpatialReference* srs = layer->GetSpatialRef()) {
    const char* auth = srs->GetAuthorityName(nullptr);
    const char* code = srs->GetAuthorityCode(nullptr);
    if (auth && code) out.crs = std::string(auth) + ":" + code;
  }
  std::unique_ptr<OGRFeature> f;
  bool any_z = false;
  while (f.reset(layer->GetNextFeature()), f) {
    const OGRGeometry* g = f->GetGeometryRef();
    const OGRPoint* p = g && wkbFlatten(g->getGeometryType()) == wkbPoint ? g->toPoint() : nullptr;
    if (!p || p->IsEmpty() || !p->Is3D() || !std::isfinite(p->getX()) ||
        !std::isfinite(p->getY()) || !std::isfinite(p->getZ())) {
      FeatureIssue i;
      i.file = path;
      i.fid = f->GetFID();
      i.code = ErrorCode::kFieldType;
      i.status = FeatureStatus::kRejected;
      i.message =
          path + ": " + (csv ? "row " : "feature ") + std::to_string(f->GetFID()) +
          ": no x, y and z numbers" +
          (csv ? " (columns x/easting, y/northing, z/elevation)" : " (a 3D point was expected)");
      out.issues.push_back(std::move(i));
      continue;
    }
    any_z = true;
    out.points.push_back({p->getX(), p->getY(), p->getZ()});
  }
  if (!any_z && out.issues.empty() && out.points.empty())
    throw StrataError(ErrorCode::kEmptyPrimitive, path + ": no points");
  return out;
}

}  // namespace

SurveyPoints read_survey_points(const std::string& path) {
  const std::string ext = lower_extension(path);
  if (ext == "laz")
    throw StrataError(ErrorCode::kUnsupportedFormat,
                      path +
                          ": LAZ is compressed and no LAZ decoder is packaged for Debian 12; "
                          "decompress it to LAS first");
  if (ext == "las") {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw StrataError(ErrorCode::kInvalidInputFile, path + ": cannot be opened");
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return read_las(path, bytes.str());
  }
  if (ext == "ply" || ext == "pcd" || ext == "xyz" || ext == "pts" || ext == "xyzn" ||
      ext == "xyzrgb")
    return read_open3d(path, ext);
  return read_ogr(path, ext);
}

}  // namespace strata::io
