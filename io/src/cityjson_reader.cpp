// CityJSON reader (hand-written on nlohmann::json: no Debian-packaged C++ CityJSON library exists).
#include "strata/io/cityjson_reader.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "strata/core/error.h"

namespace strata::io {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw StrataError(ErrorCode::kInvalidInputFile, path + ": " + what);
}
// Well-formed, but another format than CityJSON (GeoJSON, JSON-FG, ...): 904, as val3dity.
[[noreturn]] void unsupported(const std::string& path, const std::string& what) {
  throw StrataError(ErrorCode::kUnsupportedFormat, path + ": " + what);
}

// "https://www.opengis.net/def/crs/EPSG/0/7415" or "urn:ogc:def:crs:EPSG::7415" -> "EPSG:7415".
std::optional<std::string> crs_of(const json& metadata) {
  if (!metadata.is_object() || !metadata.contains("referenceSystem") ||
      !metadata["referenceSystem"].is_string())
    return std::nullopt;
  static const std::regex epsg(R"(EPSG(?:/0/|::|:)(\d+))", std::regex::icase);
  std::smatch m;
  const std::string text = metadata["referenceSystem"].get<std::string>();
  if (std::regex_search(text, m, epsg)) return "EPSG:" + m[1].str();
  return text;
}

struct Transform {
  std::array<double, 3> scale{1, 1, 1}, translate{0, 0, 0};
};

Transform transform_of(const json& doc) {
  Transform t;
  if (doc.contains("transform") && doc["transform"].is_object()) {
    const auto& tr = doc["transform"];
    for (int i = 0; i < 3; ++i) {
      t.scale[static_cast<std::size_t>(i)] =
          tr.at("scale").at(static_cast<std::size_t>(i)).get<double>();
      t.translate[static_cast<std::size_t>(i)] =
          tr.at("translate").at(static_cast<std::size_t>(i)).get<double>();
    }
  }
  return t;
}

std::vector<Point3> vertices_of(const json& doc, const Transform& t) {
  std::vector<Point3> out;
  if (!doc.contains("vertices")) return out;
  const auto& v = doc["vertices"];
  out.reserve(v.size());
  for (const auto& p : v) {
    Point3 q{};
    for (std::size_t i = 0; i < 3; ++i) q[i] = p.at(i).get<double>() * t.scale[i] + t.translate[i];
    out.push_back(q);
  }
  return out;
}

class ObjectBuilder {
 public:
  ObjectBuilder(const std::string& path, const std::vector<Point3>& vertices, CityModelInfo& info)
      : path_(path), vertices_(vertices), info_(info) {}

  // The file's "geometry-templates", for GeometryInstance geometries.
  void set_templates(const json* templates) { templates_ = templates; }

  CityObject build(const std::string& id, const json& o) {
    CityObject obj;
    obj.id = id;
    obj.type = o.value("type", "");
    for (const char* key : {"parents", "children"}) {
      if (!o.contains(key) || !o[key].is_array()) continue;
      auto& list = std::string(key) == "parents" ? obj.parents : obj.children;
      for (const auto& p : o[key])
        if (p.is_string()) list.push_back(p.get<std::string>());
    }
    obj.attributes_json = o.contains("attributes")
                              ? o["attributes"].dump(-1, ' ', false, json::error_handler_t::replace)
                              : "{}";
    if (o.contains("geometry") && o["geometry"].is_array()) {
      for (const auto& g : o["geometry"]) {
        try {
          if (auto geometry = build_geometry(g)) obj.geometries.push_back(std::move(*geometry));
        } catch (const std::domain_error& e) {
          note(id, "geometry skipped: " + std::string(e.what()), FeatureStatus::kWarning);
        } catch (const std::exception& e) {
          note(id, "geometry dropped: " + std::string(e.what()), FeatureStatus::kRejected);
          obj.dropped.push_back(e.what());
        }
      }
    }
    return obj;
  }

 private:
  void note(const std::string& id, const std::string& message, FeatureStatus status) {
    FeatureIssue i;
    i.file = path_;
    i.feature_id = id;
    i.status = status;
    i.code = ErrorCode::kInvalidInputFile;
    i.message = id + ": " + message;
    info_.issues.push_back(std::move(i));
  }

  Surface3 surface(const json& rings) {
    Surface3 s;
    for (const auto& ring : rings) {
      Ring3 r;
      for (const auto& idx : ring) {
        const auto k = idx.get<std::int64_t>();
        if (k < 0 || static_cast<std::size_t>(k) >= vertices_.size())
          throw std::out_of_range("vertex index " + std::to_string(k) + " out of range (" +
                                  std::to_string(vertices_.size()) + " vertices)");
        r.push_back(vertices_[static_cast<std::size_t>(k)]);
      }
      s.push_back(std::move(r));
    }
    return s;
  }

  Shell3 shell(const json& surfaces) {
    Shell3 out;
    for (const auto& s : surfaces) out.push_back(surface(s));
    return out;
  }

  std::optional<CityGeometry> build_geometry(const json& g) {
    const std::string type = g.value("type", "");
    CityGeometry out;
    if (g.contains("lod"))
      out.lod = g["lod"].is_string() ? g["lod"].get<std::string>() : g["lod"].dump();
    const json& b = g.at("boundaries");
    if (type == "MultiSurface" || type == "CompositeSurface") {
      out.type = type == "MultiSurface" ? CityGeometryType::kMultiSurface
                                        : CityGeometryType::kCompositeSurface;
      out.solids.push_back({shell(b)});
    } else if (type == "Solid") {
      out.type = CityGeometryType::kSolid;
      std::vector<Shell3> shells;
      for (const auto& sh : b) shells.push_back(shell(sh));
      out.solids.push_back(std::move(shells));
    } else if (type == "MultiSolid" || type == "CompositeSolid") {
      out.type =
          type == "MultiSolid" ? CityGeometryType::kMultiSolid : CityGeometryType::kCompositeSolid;
      for (const auto& solid : b) {
        std::vector<Shell3> shells;
        for (const auto& sh : solid) shells.push_back(shell(sh));
        out.solids.push_back(std::move(shells));
      }
    } else if (type == "GeometryInstance") {
      return instance(g);
    } else {
      throw std::domain_error("geometry type '" + type +
                              "' is not read (points and lines are not volumes or surfaces)");
    }
    semantics(g, out);
    return out;
  }

  // A template placed at a reference point: template vertices (real coordinates, not
  // transformed by "transform") times the 4x4 row-major matrix, plus the reference point.
  std::optional<CityGeometry> instance(const json& g) {
    if (!templates_ || !templates_->is_object())
      throw std::invalid_argument("GeometryInstance, but the file has no \"geometry-templates\"");
    const auto& templates = templates_->at("templates");
    const auto index = g.at("template").get<std::int64_t>();
    if (index < 0 || static_cast<std::size_t>(index) >= templates.size())
      throw std::out_of_range("template " + std::to_string(index) + " does not exist");
    const auto ref_index = g.at("boundaries").at(0).get<std::int64_t>();
    if (ref_index < 0 || static_cast<std::size_t>(ref_index) >= vertices_.size())
      throw std::out_of_range("reference point " + std::to_string(ref_index) + " out of range");
    const Point3& ref = vertices_[static_cast<std::size_t>(ref_index)];
    std::array<double, 16> m{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
    if (g.contains("transformationMatrix"))
      for (std::size_t i = 0; i < 16; ++i) m[i] = g["transformationMatrix"].at(i).get<double>();
    std::vector<Point3> placed;
    for (const auto& v : templates_->at("vertices-templates")) {
      const double x = v.at(0).get<double>(), y = v.at(1).get<double>(), z = v.at(2).get<double>();
      placed.push_back({m[0] * x + m[1] * y + m[2] * z + m[3] + ref[0],
                        m[4] * x + m[5] * y + m[6] * z + m[7] + ref[1],
                        m[8] * x + m[9] * y + m[10] * z + m[11] + ref[2]});
    }
    const json& tpl = templates[static_cast<std::size_t>(index)];
    if (tpl.value("type", "") == "GeometryInstance")
      throw std::invalid_argument("a template cannot itself be a GeometryInstance");
    ObjectBuilder placed_builder(path_, placed, info_);
    return placed_builder.build_geometry(tpl);
  }

  // Semantic surface type per surface, flattened in boundary order.
  static void semantics(const json& g, CityGeometry& out) {
    if (!g.contains("semantics")) return;
    const auto& sem = g["semantics"];
    std::vector<std::string> types;
    const json surfaces = sem.value("surfaces", json::array());
    for (const auto& s : surfaces) types.push_back(s.is_object() ? s.value("type", "") : "");
    std::function<void(const json&)> walk = [&](const json& values) {
      for (const auto& v : values) {
        if (v.is_array())
          walk(v);
        else if (v.is_number_integer() && v.get<std::int64_t>() >= 0 &&
                 static_cast<std::size_t>(v.get<std::int64_t>()) < types.size())
          out.semantics.push_back(types[static_cast<std::size_t>(v.get<std::int64_t>())]);
        else
          out.semantics.push_back("");
      }
    };
    if (sem.contains("values") && sem["values"].is_array()) walk(sem["values"]);
  }

  const std::string& path_;
  const std::vector<Point3>& vertices_;
  CityModelInfo& info_;
  const json* templates_ = nullptr;
};

void check_header(const std::string& path, const json& doc, CityModelInfo& info) {
  if (!doc.is_object()) unsupported(path, "is JSON but not a CityJSON object");
  const std::string type = doc.value("type", "");
  if (type != "CityJSON") {
    if (doc.contains("type") && (doc["type"] == "FeatureCollection" || doc["type"] == "Feature"))
      unsupported(path,
                  std::string("is GeoJSON") +
                      (doc.contains("conformsTo") || doc.contains("place") ? " (JSON-FG)" : "") +
                      ", not CityJSON: import 2D layers with strata import --kind ...");
    unsupported(path, "is not CityJSON (its \"type\" is '" + type + "', expected 'CityJSON')");
  }
  info.version = doc.value("version", "");
  if (info.version.empty() || info.version[0] == '0')
    fail(path, "is legacy CityJSON " +
                   (info.version.empty() ? std::string("without a version") : "v" + info.version) +
                   "; strata reads 1.0, 1.1 and 2.0. Upgrade it first, e.g. with cjio: cjio FILE "
                   "upgrade save NEW.city.json");
  info.crs = crs_of(doc.value("metadata", json::object()));
}

}  // namespace

static CityModelInfo read_cityjson_unchecked(const std::string& path,
                                             const std::function<void(CityObject&&)>& on_object);

CityModelInfo read_cityjson(const std::string& path,
                            const std::function<void(CityObject&&)>& on_object) {
  try {
    return read_cityjson_unchecked(path, on_object);
  } catch (const nlohmann::json::exception& e) {
    // A member missing or of the wrong type where the whole file depends on it (transform,
    // vertices): the file as a whole is malformed.
    fail(path, std::string("malformed CityJSON: ") + e.what());
  }
}

static CityModelInfo read_cityjson_unchecked(const std::string& path,
                                             const std::function<void(CityObject&&)>& on_object) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "file not found or unreadable");
  CityModelInfo info;
  std::string first_line;
  std::getline(in, first_line);
  json header;
  try {
    header = json::parse(first_line);
  } catch (const json::parse_error&) {
    header = json();  // not one JSON document per line: a whole-file CityJSON (or not JSON at all)
  }
  const bool sequence = header.is_object() && header.value("type", "") == "CityJSON" &&
                        header.contains("CityObjects") && header["CityObjects"].empty() &&
                        in.peek() != EOF;
  if (!sequence) {
    in.clear();
    in.seekg(0);
    json doc;
    try {
      doc = json::parse(in);
    } catch (const json::parse_error& e) {
      const bool xml = first_line.find('<') != std::string::npos;
      fail(path, xml ? "is XML, not CityJSON (CityGML and IndoorGML are XML)"
                     : std::string("is not valid JSON: ") + e.what());
    }
    check_header(path, doc, info);
    const Transform t = transform_of(doc);
    const auto vertices = vertices_of(doc, t);
    ObjectBuilder builder(path, vertices, info);
    if (doc.contains("geometry-templates")) builder.set_templates(&doc["geometry-templates"]);
    const json objects = doc.value("CityObjects", json::object());  // items() must not outlive it
    for (const auto& [id, o] : objects.items()) {
      on_object(builder.build(id, o));
      ++info.objects;
    }
    return info;
  }
  // CityJSONSeq: a header line, then one CityJSONFeature per line with its own vertices.
  check_header(path, header, info);
  if (!header.contains("transform") || !header["transform"].is_object())
    fail(path,
         "line 1: a CityJSONSeq header needs a \"transform\" (its features' vertices are "
         "integers relative to it)");
  info.sequence = true;
  const Transform t = transform_of(header);
  std::string line;
  std::int64_t line_no = 1;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    json feature;
    try {
      feature = json::parse(line);
    } catch (const json::parse_error& e) {
      fail(path, "line " + std::to_string(line_no) + " is not valid JSON (" + e.what() + ")");
    }
    if (feature.value("type", "") != "CityJSONFeature")
      fail(path, "line " + std::to_string(line_no) + " is not a CityJSONFeature");
    const auto vertices = vertices_of(feature, t);
    ObjectBuilder builder(path, vertices, info);
    if (header.contains("geometry-templates")) builder.set_templates(&header["geometry-templates"]);
    const json objects = feature.value("CityObjects", json::object());
    for (const auto& [id, o] : objects.items()) {
      on_object(builder.build(id, o));
      ++info.objects;
    }
  }
  return info;
}

}  // namespace strata::io
