// CityJSON reader (hand-written on nlohmann::json: no Debian-packaged C++ CityJSON library exists).
#include "strata/io/cityjson_reader.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <unordered_map>
#include <utility>

#include "plausible_coordinates.h"
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

// Deeper than any CityJSON structure (a MultiSolid's boundaries are 5 arrays deep inside the
// object) yet far from the stack: nlohmann parses and destroys without recursion, but copying,
// dump() and strata's own walks recurse, so a hostile object nested 200,000 deep would crash.
constexpr std::size_t kMaxNesting = 64;

// True when `j` holds arrays or objects nested more than `limit` deep (iteratively).
bool nested_deeper_than(const json& j, std::size_t limit) {
  std::vector<std::pair<const json*, std::size_t>> stack{{&j, 0}};
  while (!stack.empty()) {
    auto [node, depth] = stack.back();
    stack.pop_back();
    if (!node->is_structured()) continue;
    if (depth >= limit) return true;
    for (const auto& child : *node) stack.emplace_back(&child, depth + 1);
  }
  return false;
}

struct Transform {
  std::array<double, 3> scale{1, 1, 1}, translate{0, 0, 0};
};

Transform transform_of(const std::string& path, const json& doc) {
  Transform t;
  if (doc.contains("transform") && doc["transform"].is_object()) {
    const auto& tr = doc["transform"];
    for (std::size_t i = 0; i < 3; ++i) {
      const json& s = tr.at("scale").at(i);
      const json& o = tr.at("translate").at(i);
      if (!s.is_number() || !o.is_number())
        fail(path, std::string("transform.") + (s.is_number() ? "translate" : "scale") + "[" +
                       std::to_string(i) + "] is " + (s.is_number() ? o : s).dump() +
                       ", expected a number");
      t.scale[i] = s.get<double>();
      t.translate[i] = o.get<double>();
      // A zero scale folds every vertex onto one point; a negative one mirrors the model.
      if (!std::isfinite(t.scale[i]) || !(t.scale[i] > 0))
        fail(path, "transform.scale[" + std::to_string(i) + "] is " + number_text(t.scale[i]) +
                       ", expected a positive number (e.g. 0.001 for millimetres)");
      if (!std::isfinite(t.translate[i]) || std::abs(t.translate[i]) > kMaxPlanarOrdinate)
        fail(path, "transform.translate[" + std::to_string(i) + "] is " +
                       number_text(t.translate[i]) +
                       ", expected a finite coordinate (|value| <= 1e9)");
    }
  }
  return t;
}

// Vertices with the transform applied. A vertex that is not three numbers, or lands on an
// implausible coordinate, is kept out of every geometry that uses it: `bad` says why, by index.
struct Vertices {
  std::vector<Point3> points;
  std::unordered_map<std::size_t, std::string> bad;
};

Vertices vertices_of(const json& doc, const Transform& t, const std::string& where) {
  Vertices out;
  if (!doc.contains("vertices")) return out;
  const auto& v = doc["vertices"];
  if (!v.is_array()) throw std::invalid_argument(where + "\"vertices\" is not an array");
  out.points.reserve(v.size());
  for (std::size_t k = 0; k < v.size(); ++k) {
    const json& p = v[k];
    Point3 q{};
    std::string problem;
    if (!p.is_array() || p.size() != 3) {
      problem = p.dump(-1, ' ', false, json::error_handler_t::replace).substr(0, 80) +
                ", expected three numbers [x, y, z]";
    } else {
      for (std::size_t i = 0; i < 3 && problem.empty(); ++i) {
        if (!p[i].is_number())
          problem = "ordinate " + std::to_string(i) + " is " +
                    p[i].dump(-1, ' ', false, json::error_handler_t::replace).substr(0, 40) +
                    ", expected a number";
        else
          q[i] = p[i].get<double>() * t.scale[i] + t.translate[i];
      }
      if (problem.empty())
        if (const char* what = plausibility_problem(q))
          problem = "(" + number_text(q[0]) + ", " + number_text(q[1]) + ", " + number_text(q[2]) +
                    ") " + what;
    }
    if (!problem.empty()) out.bad.emplace(k, "vertices[" + std::to_string(k) + "] " + problem);
    out.points.push_back(q);
  }
  return out;
}

class ObjectBuilder {
 public:
  ObjectBuilder(const std::string& path, const Vertices& vertices, CityModelInfo& info)
      : path_(path), vertices_(vertices.points), bad_(&vertices.bad), info_(info) {}
  ObjectBuilder(const std::string& path, const std::vector<Point3>& vertices, CityModelInfo& info)
      : path_(path), vertices_(vertices), info_(info) {}

  // The file's "geometry-templates", for GeometryInstance geometries.
  void set_templates(const json* templates) { templates_ = templates; }
  // Where the objects come from, for messages ("line 3" of a CityJSONSeq).
  void set_context(std::string context) { context_ = std::move(context); }

  CityObject build(const std::string& id, const json& o) {
    CityObject obj;
    obj.id = id;
    if (nested_deeper_than(o, kMaxNesting)) {
      // Nothing of it is read: its attributes and geometries cannot be walked safely.
      obj.type = o.is_object() && o.contains("type") && o["type"].is_string()
                     ? o["type"].get<std::string>()
                     : "";
      obj.attributes_json = "{}";
      const std::string why = "nested deeper than " + std::to_string(kMaxNesting) +
                              " levels (a CityJSON object needs fewer than 12): not read";
      note(id, why, FeatureStatus::kRejected);
      obj.dropped.push_back(why);
      return obj;
    }
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
    i.message = (context_.empty() ? "" : context_ + ": ") + id + ": " + message;
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
        if (bad_ && !bad_->empty())
          if (auto it = bad_->find(static_cast<std::size_t>(k)); it != bad_->end())
            throw std::invalid_argument(it->second);
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
      if (const char* what = plausibility_problem(placed.back()))
        throw std::invalid_argument("template " + std::to_string(index) + " placed at vertex " +
                                    std::to_string(ref_index) + ": a vertex " + what);
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
  const std::unordered_map<std::size_t, std::string>* bad_ = nullptr;
  CityModelInfo& info_;
  const json* templates_ = nullptr;
  std::string context_;
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
  static const std::regex known(R"((1\.0|1\.1|2\.0)(\.\d+)?)");
  if (!std::regex_match(info.version, known))
    fail(path, "declares CityJSON version \"" + info.version +
                   "\", which strata does not know (it reads 1.0, 1.1 and 2.0); a later version "
                   "may mean something else by the same members");
  // From 1.1 on, vertices are integers scaled by the mandatory transform: read without it,
  // coordinates would come out 1000 times too large, silently.
  if (info.version.rfind("1.0", 0) != 0)
    if (!doc.contains("transform") || !doc["transform"].is_object())
      fail(path, "CityJSON " + info.version +
                     " requires a \"transform\" (its vertices are integers scaled by it); "
                     "the file has none, so its coordinates cannot be known");
  for (const char* member : {"metadata", "transform", "geometry-templates", "extensions"})
    if (doc.contains(member) && nested_deeper_than(doc[member], kMaxNesting))
      fail(path, std::string("\"") + member + "\" is nested deeper than " +
                     std::to_string(kMaxNesting) + " levels: not a CityJSON file strata will read");
  if (doc.contains("metadata") && doc["metadata"].is_object()) info.crs = crs_of(doc["metadata"]);
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
    const Transform t = transform_of(path, doc);
    if (doc.contains("vertices") && nested_deeper_than(doc["vertices"], 2))
      fail(path, "\"vertices\" is nested deeper than [[x, y, z], ...]");
    Vertices vertices;
    try {
      vertices = vertices_of(doc, t, "");
    } catch (const std::invalid_argument& e) {
      fail(path, e.what());
    }
    ObjectBuilder builder(path, vertices, info);
    if (doc.contains("geometry-templates")) builder.set_templates(&doc["geometry-templates"]);
    const auto objects = doc.find("CityObjects");  // by reference: a copy would recurse
    if (objects != doc.end() && objects->is_object())
      for (const auto& [id, o] : objects->items()) {
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
  const Transform t = transform_of(path, header);
  std::string line;
  std::int64_t line_no = 1;
  // One bad line is that feature rejected (reported with its line number), not the stream.
  auto reject_line = [&](const std::string& why) {
    FeatureIssue i;
    i.file = path;
    i.fid = line_no;
    i.feature_id = "line " + std::to_string(line_no);
    i.status = FeatureStatus::kRejected;
    i.code = ErrorCode::kInvalidInputFile;
    i.message = "line " + std::to_string(line_no) + ": " + why + "; the line is not read";
    info.issues.push_back(std::move(i));
  };
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    json feature;
    try {
      feature = json::parse(line);
    } catch (const json::parse_error& e) {
      // nlohmann's message starts with its own tag "[json.exception.parse_error.101] ".
      std::string what = e.what();
      if (const auto tag = what.find("] ");
          what.rfind("[json.exception", 0) == 0 && tag != std::string::npos)
        what.erase(0, tag + 2);
      reject_line("not valid JSON (" + what + ")");
      continue;
    }
    if (!feature.is_object() || !feature.contains("type") || feature["type"] != "CityJSONFeature") {
      reject_line("not a CityJSONFeature");
      continue;
    }
    if (feature.contains("vertices") && nested_deeper_than(feature["vertices"], 2)) {
      reject_line("\"vertices\" is nested deeper than [[x, y, z], ...]");
      continue;
    }
    Vertices vertices;
    try {
      vertices = vertices_of(feature, t, "line " + std::to_string(line_no) + ": ");
    } catch (const std::exception& e) {
      reject_line(e.what());
      continue;
    }
    ObjectBuilder builder(path, vertices, info);
    builder.set_context("line " + std::to_string(line_no));
    if (header.contains("geometry-templates")) builder.set_templates(&header["geometry-templates"]);
    const auto objects = feature.find("CityObjects");
    if (objects == feature.end() || !objects->is_object()) {
      reject_line("a CityJSONFeature needs a \"CityObjects\" object");
      continue;
    }
    for (const auto& [id, o] : objects->items()) {
      on_object(builder.build(id, o));
      ++info.objects;
    }
  }
  return info;
}

}  // namespace strata::io
