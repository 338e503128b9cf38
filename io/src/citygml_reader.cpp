// CityGML building reader on libxml2's streaming xmlTextReader (no maintained CityGML library is
// packaged for Debian; libcitygml is not). Reads what strata models: buildings and their parts,
// LoD solids and (semantic) surfaces; other city objects are counted but not read.
#include "strata/io/citygml_reader.h"

#include <libxml/xmlreader.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <regex>
#include <unordered_map>

#include "strata/core/crs.h"
#include "strata/core/error.h"

namespace strata::io {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw StrataError(ErrorCode::kInvalidInputFile, path + ": " + what);
}

std::string to_string(const xmlChar* s) { return s ? reinterpret_cast<const char*>(s) : ""; }

bool is_building(const std::string& name) { return name == "Building" || name == "BuildingPart"; }

// City objects strata reads: buildings and their parts, and generic city objects (which carry
// their geometry in lodNGeometry, typed by the geometry element inside).
bool is_city_object(const std::string& name, const std::string& ns) {
  return (is_building(name) && ns.find("building") != std::string::npos) ||
         (name == "GenericCityObject" && ns.find("generics") != std::string::npos);
}

std::optional<CityGeometryType> gml_geometry_type(const std::string& name) {
  if (name == "Solid") return CityGeometryType::kSolid;
  if (name == "MultiSurface") return CityGeometryType::kMultiSurface;
  if (name == "CompositeSurface") return CityGeometryType::kCompositeSurface;
  if (name == "MultiSolid") return CityGeometryType::kMultiSolid;
  if (name == "CompositeSolid") return CityGeometryType::kCompositeSolid;
  return std::nullopt;
}

// A geometry property such as lod2Solid or lod1MultiSurface: its LoD and geometry type.
// Called for every element, so plain string tests rather than a regex.
std::optional<std::pair<std::string, CityGeometryType>> lod_property(const std::string& name) {
  if (name.size() < 5 || name.compare(0, 3, "lod") != 0 || name[3] < '0' || name[3] > '9')
    return std::nullopt;
  const std::string kind = name.substr(4);
  if (kind == "Geometry")
    return std::make_pair(name.substr(3, 1), CityGeometryType::kCompositeSolid);
  auto type = gml_geometry_type(kind);
  if (!type) return std::nullopt;
  return std::make_pair(name.substr(3, 1), *type);
}

class Reader {
 public:
  Reader(const std::string& path, const std::function<void(CityObject&&)>& on_object)
      : path_(path), on_object_(on_object) {}

  CityModelInfo run() {
    std::unique_ptr<xmlTextReader, decltype(&xmlFreeTextReader)> reader(
        xmlReaderForFile(
            path_.c_str(), nullptr,
            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_HUGE),
        xmlFreeTextReader);
    if (!reader) fail(path_, "cannot be opened as XML");
    r_ = reader.get();
    int status;
    while ((status = xmlTextReaderRead(r_)) == 1) {
      const int type = xmlTextReaderNodeType(r_);
      if (type == XML_READER_TYPE_ELEMENT) {
        const bool empty = xmlTextReaderIsEmptyElement(r_) != 0;
        start(to_string(xmlTextReaderConstLocalName(r_)),
              to_string(xmlTextReaderConstNamespaceUri(r_)));
        if (empty) end(to_string(xmlTextReaderConstLocalName(r_)));
      } else if (type == XML_READER_TYPE_END_ELEMENT) {
        end(to_string(xmlTextReaderConstLocalName(r_)));
      } else if ((type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA) &&
                 collecting_text_) {
        text_ += to_string(xmlTextReaderConstValue(r_));
      }
    }
    if (status < 0) {
      const xmlError* e = xmlGetLastError();
      fail(path_, "is not well-formed XML" +
                      (e && e->message ? std::string(" (line ") + std::to_string(e->line) + ": " +
                                             trim(e->message) + ")"
                                       : std::string()));
    }
    if (!root_seen_) fail(path_, "holds no XML element");
    return info_;
  }

 private:
  static std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
  }

  std::string attribute(const char* name) {
    xmlChar* v = xmlTextReaderGetAttribute(r_, reinterpret_cast<const xmlChar*>(name));
    std::string out = to_string(v);
    xmlFree(v);
    return out;
  }

  void root(const std::string& name, const std::string& ns) {
    root_seen_ = true;
    static const std::regex citygml(R"(opengis\.net/citygml/(\d\.\d))");
    std::smatch m;
    if (name == "CityModel" && std::regex_search(ns, m, citygml)) {
      info_.format = "CityGML";
      info_.version = m[1];
      return;
    }
    if (ns.find("indoorgml") != std::string::npos)
      throw StrataError(ErrorCode::kUnsupportedFormat,
                        path_ + ": is IndoorGML (<" + name +
                            ">), not CityGML: strata does not read indoor models");
    throw StrataError(
        ErrorCode::kUnsupportedFormat,
        path_ + ": is XML but not CityGML (root element <" + name + "> in namespace '" + ns + "')");
  }

  void start(const std::string& name, const std::string& ns) {
    if (!root_seen_) root(name, ns);
    const std::string srs = attribute("srsName");
    if (!srs.empty() && !crs_) set_crs(srs);
    if (name == "srsDimension" || !attribute("srsDimension").empty())
      dims_ = std::atoi(attribute("srsDimension").c_str());

    if (is_city_object(name, ns)) {
      CityObject o;
      o.id = attribute("gml:id");
      if (o.id.empty()) o.id = attribute("id");
      o.type = name;
      if (!objects_.empty()) {
        o.parents.push_back(objects_.back().id);
        objects_.back().children.push_back(o.id);
      }
      objects_.push_back(std::move(o));
      return;
    }
    if (name == "cityObjectMember" || name == "featureMember") ++members_;
    if (objects_.empty()) return;
    if (name.size() > 7 && name.compare(name.size() - 7, 7, "Surface") == 0 &&
        ns.find("building") != std::string::npos && name != "lod2MultiSurface")
      semantic_ = name;  // WallSurface, RoofSurface, GroundSurface, ...
    if (auto lod = lod_property(name)) {
      geometry_.emplace();
      geometry_->lod = lod->first;
      geometry_->type = lod->second;
      geometry_typed_ = name.find("Geometry") == std::string::npos;
      geometry_->solids.push_back({Shell3{}});
      return;
    }
    if (!geometry_) return;
    if (auto type = gml_geometry_type(name)) {
      if (!geometry_typed_) geometry_->type = *type, geometry_typed_ = true;
      // Each solid of a MultiSolid / CompositeSolid gets its own entry.
      if (name == "Solid" && !geometry_->solids.back().back().empty())
        geometry_->solids.push_back({Shell3{}});
      return;
    }
    if (name == "interior" && !surface_ && !geometry_->solids.back().back().empty()) {
      geometry_->solids.back().push_back(Shell3{});  // a cavity of the current solid
      return;
    }
    if (name == "Polygon" || name == "Triangle") {
      surface_.emplace();
      polygon_id_ = attribute("gml:id");
    } else if (name == "LinearRing") {
      ring_.clear();
    } else if (name == "posList" || name == "pos" || name == "coordinates") {
      collecting_text_ = true;
      text_.clear();
    } else if (name == "surfaceMember" || name == "patches") {
      std::string href = attribute("xlink:href");
      if (!href.empty())
        pending_hrefs_.push_back({href[0] == '#' ? href.substr(1) : href, semantic_});
    }
  }

  void end(const std::string& name) {
    if (collecting_text_ && (name == "posList" || name == "pos" || name == "coordinates")) {
      collecting_text_ = false;
      add_coordinates(text_, name == "coordinates");
      return;
    }
    if (name == "LinearRing" && surface_) {
      // GML repeats a ring's first point at its end; strata's rings are open. A ring the file
      // left open is kept and reported (103) by the validator.
      if (ring_.size() > 1 && ring_.front() == ring_.back())
        ring_.pop_back();
      else if (!objects_.empty())
        objects_.back().unclosed_rings.push_back(
            (polygon_id_.empty() ? std::string("polygon") : "polygon " + polygon_id_) + " ring " +
            std::to_string(surface_->size()));
      surface_->push_back(std::move(ring_));
      ring_.clear();
      return;
    }
    if ((name == "Polygon" || name == "Triangle") && surface_ && geometry_) {
      if (!polygon_id_.empty()) polygons_[polygon_id_] = *surface_;
      geometry_->solids.back().back().push_back(std::move(*surface_));
      geometry_->semantics.push_back(semantic_);
      surface_.reset();
      return;
    }
    if (lod_property(name) && geometry_) {
      finish_geometry();
      return;
    }
    if (!semantic_.empty() && name == semantic_) {
      semantic_.clear();
      return;
    }
    if ((is_building(name) || name == "GenericCityObject") && !objects_.empty() &&
        objects_.back().type == name) {
      CityObject o = std::move(objects_.back());
      resolve_links(o, objects_.size() - 1);
      objects_.pop_back();
      ++info_.objects;
      on_object_(std::move(o));
    }
  }

  // Semantic boundary surfaces each carry their own lodNMultiSurface: they are merged into one
  // geometry per type and LoD. Polygons referenced by xlink (a solid made of the boundary
  // surfaces' polygons) are resolved when the building ends, since they may come later.
  void finish_geometry() {
    auto& geometries = objects_.back().geometries;
    std::size_t index = geometries.size();
    if (!semantic_.empty()) {
      for (std::size_t i = 0; i < geometries.size(); ++i)
        if (geometries[i].type == geometry_->type && geometries[i].lod == geometry_->lod) index = i;
    }
    if (index == geometries.size()) {
      geometries.push_back(std::move(*geometry_));
    } else {
      auto& target = geometries[index];
      for (auto& surface : geometry_->solids.back().back())
        target.solids.back().back().push_back(std::move(surface));
      target.semantics.insert(target.semantics.end(), geometry_->semantics.begin(),
                              geometry_->semantics.end());
    }
    for (auto& [id, semantic] : pending_hrefs_)
      unresolved_.push_back({objects_.size() - 1, index, id, semantic});
    pending_hrefs_.clear();
    geometry_.reset();
  }

  void resolve_links(CityObject& o, std::size_t depth) {
    std::vector<Unresolved> rest;
    for (auto& u : unresolved_) {
      if (u.depth != depth) {
        rest.push_back(u);
        continue;
      }
      auto it = polygons_.find(u.polygon_id);
      if (it == polygons_.end()) {
        FeatureIssue i;
        i.file = path_;
        i.feature_id = o.id;
        i.status = FeatureStatus::kWarning;
        i.code = ErrorCode::kInvalidInputFile;
        i.message = o.id + ": xlink to polygon '" + u.polygon_id + "' not found; surface skipped";
        info_.issues.push_back(std::move(i));
        continue;
      }
      o.geometries[u.geometry].solids.back().back().push_back(it->second);
      o.geometries[u.geometry].semantics.push_back(u.semantic);
    }
    unresolved_ = std::move(rest);
    std::erase_if(o.geometries,
                  [](const CityGeometry& g) { return g.solids.back().back().empty(); });
  }

  void add_coordinates(const std::string& text, bool comma_tuples) {
    std::vector<double> values;
    const char* p = text.c_str();
    char* end = nullptr;
    while (*p) {
      if (comma_tuples && *p == ',') {
        ++p;
        continue;
      }
      double v = std::strtod(p, &end);
      if (end == p) {
        ++p;
        continue;
      }
      values.push_back(v);
      p = end;
    }
    const std::size_t dims = dims_ == 2 ? 2 : 3;
    for (std::size_t i = 0; i + dims <= values.size(); i += dims) {
      Point3 q{values[i], values[i + 1], dims == 3 ? values[i + 2] : 0.0};
      if (swap_) std::swap(q[0], q[1]);
      ring_.push_back(q);
    }
  }

  void set_crs(const std::string& srs) {
    static const std::regex epsg(R"(EPSG(?:/0/|::|:)(\d+))", std::regex::icase);
    std::smatch m;
    if (!std::regex_search(srs, m, epsg)) {
      crs_ = srs;
      info_.crs = srs;
      return;
    }
    crs_ = "EPSG:" + m[1].str();
    info_.crs = crs_;
    try {
      swap_ = Crs::from_user_input(*crs_).northing_first();
    } catch (const StrataError&) {
      swap_ = false;
    }
  }

  const std::string& path_;
  const std::function<void(CityObject&&)>& on_object_;
  xmlTextReaderPtr r_ = nullptr;
  CityModelInfo info_;
  bool root_seen_ = false, collecting_text_ = false, swap_ = false;
  int dims_ = 3;
  std::int64_t members_ = 0;
  std::optional<std::string> crs_;
  std::string text_, semantic_, polygon_id_;
  bool geometry_typed_ = false;  // the lod property named the type (lod2Solid, not lod2Geometry)
  std::vector<CityObject> objects_;  // open Building / BuildingPart elements, outermost first
  std::optional<CityGeometry> geometry_;
  std::optional<Surface3> surface_;
  Ring3 ring_;
  std::vector<std::pair<std::string, std::string>> pending_hrefs_;  // polygon id, semantic
  struct Unresolved {
    std::size_t depth, geometry;  // open object (index in objects_) and its geometry
    std::string polygon_id, semantic;
  };
  std::vector<Unresolved> unresolved_;
  std::unordered_map<std::string, Surface3> polygons_;  // by gml:id, for xlinks
};

}  // namespace

CityModelInfo read_citygml(const std::string& path,
                           const std::function<void(CityObject&&)>& on_object) {
  if (!std::ifstream(path)) fail(path, "file not found or unreadable");
  return Reader(path, on_object).run();
}

CityModelInfo read_city_model(const std::string& path,
                              const std::function<void(CityObject&&)>& on_object) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "file not found or unreadable");
  char c = 0;
  while (in.get(c) && (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\xEF' ||
                       c == '\xBB' || c == '\xBF')) {
  }
  return c == '<' ? read_citygml(path, on_object) : read_cityjson(path, on_object);
}

}  // namespace strata::io
