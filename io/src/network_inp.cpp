#include "strata/io/network_inp.h"

// EPANET and SWMM .inp files are read by hand: Debian packages neither the EPANET toolkit nor
// SWMM, and both formats are plain text in [SECTIONS] of whitespace-separated rows with ';'
// comments.
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>

#include "strata/core/error.h"

namespace strata::io {
namespace {

struct Row {
  int line = 0;
  std::vector<std::string> tokens;
};
using Sections = std::map<std::string, std::vector<Row>>;

std::string upper(std::string s) {
  for (auto& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return s;
}

Sections read_sections(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw StrataError(ErrorCode::kInvalidInputFile, path + ": cannot be opened");
  Sections sections;
  std::string section, text;
  int line = 0;
  while (std::getline(in, text)) {
    ++line;
    if (const auto semicolon = text.find(';'); semicolon != std::string::npos)
      text.erase(semicolon);
    std::vector<std::string> tokens;
    std::size_t i = 0;
    while (i < text.size()) {
      while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
      std::size_t j = i;
      while (j < text.size() && !std::isspace(static_cast<unsigned char>(text[j]))) ++j;
      if (j > i) tokens.push_back(text.substr(i, j - i));
      i = j;
    }
    if (tokens.empty()) continue;
    if (tokens[0].front() == '[') {
      const auto close = tokens[0].find(']');
      section =
          upper(tokens[0].substr(1, close == std::string::npos ? std::string::npos : close - 1));
      sections[section];  // a section may be empty
      continue;
    }
    if (!section.empty()) sections[section].push_back({line, std::move(tokens)});
  }
  if (in.bad()) throw StrataError(ErrorCode::kInvalidInputFile, path + ": read error");
  return sections;
}

std::optional<double> number(const std::string& s) {
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0' || !std::isfinite(v)) return std::nullopt;
  return v;
}

// The value of an [OPTIONS] key (first token, case-insensitive), or `fallback`.
std::string option(const Sections& s, const std::string& key, const std::string& fallback) {
  auto it = s.find("OPTIONS");
  if (it == s.end()) return fallback;
  for (const auto& r : it->second)
    if (r.tokens.size() >= 2 && upper(r.tokens[0]) == key) return upper(r.tokens[1]);
  return fallback;
}

class Builder {
 public:
  explicit Builder(std::string path) : path_(std::move(path)) {}

  NetworkRead& result() { return out_; }

  void issue(const Row& r, const std::string& id, ErrorCode code, const std::string& field,
             const std::string& message, FeatureStatus status = FeatureStatus::kRejected) {
    FeatureIssue i;
    i.file = path_;
    i.fid = r.line;
    i.feature_id = id;
    i.status = status;
    i.code = code;
    i.field = field;
    i.message = path_ + ":" + std::to_string(r.line) + ": " + message;
    out_.issues.push_back(std::move(i));
  }

  // Token k of a row as a number; an issue (and nothing) when it is missing or not a number.
  std::optional<double> value(const Row& r, std::size_t k, const std::string& field,
                              const std::string& id) {
    if (k >= r.tokens.size()) {
      issue(r, id, ErrorCode::kFieldNull, field, id + ": " + field + " is missing");
      return std::nullopt;
    }
    auto v = number(r.tokens[k]);
    if (!v)
      issue(r, id, ErrorCode::kFieldType, field,
            id + ": " + field + " '" + r.tokens[k] + "' is not a number");
    return v;
  }

  PipeNode* add_node(const Row& r, const std::string& type, double z,
                     std::optional<double> ground) {
    const std::string& id = r.tokens[0];
    if (node_of_.count(id)) {
      issue(r, id, ErrorCode::kDuplicateId, "id",
            "node '" + id + "' is defined twice (first at line " + std::to_string(node_line_[id]) +
                ")");
      return nullptr;
    }
    PipeNode n;
    n.id = id;
    n.type = type;
    n.position = {0, 0, z};
    n.ground = ground;
    n.source = path_ + ":" + std::to_string(r.line);
    node_line_[id] = r.line;
    node_of_[id] = out_.network.nodes.size();
    out_.network.nodes.push_back(std::move(n));
    return &out_.network.nodes.back();
  }

  void place_nodes(const std::vector<Row>* rows) {
    if (!rows) return;
    for (const auto& r : *rows) {
      const std::string& id = r.tokens[0];
      auto it = node_of_.find(id);
      if (it == node_of_.end()) {
        issue(r, id, ErrorCode::kDanglingReference, "id",
              "coordinates of '" + id + "', which is not a node of the network; ignored",
              FeatureStatus::kWarning);
        continue;
      }
      auto x = value(r, 1, "x", id), y = value(r, 2, "y", id);
      if (!x || !y) continue;
      auto& n = out_.network.nodes[it->second];
      n.position[0] = *x;
      n.position[1] = *y;
      n.has_position = true;
    }
  }

  void collect_vertices(const std::vector<Row>* rows) {
    if (!rows) return;
    for (const auto& r : *rows) {
      auto x = value(r, 1, "x", r.tokens[0]), y = value(r, 2, "y", r.tokens[0]);
      if (x && y) vertices_[r.tokens[0]].push_back({*x, *y});
    }
  }

  // The link's two nodes, or an issue (935) when either is unknown or has no coordinates.
  bool ends(const Row& r, const std::string& id, const std::string& from, const std::string& to,
            const PipeNode*& a, const PipeNode*& b) {
    const std::pair<const std::string*, const char*> link_ends[] = {{&from, "node1"},
                                                                    {&to, "node2"}};
    for (const auto& [name, field] : link_ends) {
      auto it = node_of_.find(*name);
      if (it == node_of_.end()) {
        issue(r, id, ErrorCode::kDanglingReference, field,
              id + ": " + field + " '" + *name + "' is not a node of the network");
        return false;
      }
      if (!out_.network.nodes[it->second].has_position) {
        issue(r, id, ErrorCode::kDanglingReference, field,
              id + ": node '" + *name + "' has no coordinates, so the link has no place");
        return false;
      }
    }
    a = &out_.network.nodes[node_of_.at(from)];
    b = &out_.network.nodes[node_of_.at(to)];
    return true;
  }

  // Centreline from a to b through the link's vertices, its height running linearly (by
  // planar distance) from za to zb; false (934) when it has fewer than two distinct points.
  bool centreline(const Row& r, PipeLink& link, const PipeNode& a, const PipeNode& b, double za,
                  double zb) {
    std::vector<PipePoint> line = {{a.position[0], a.position[1], 0}};
    if (auto it = vertices_.find(link.id); it != vertices_.end())
      for (const auto& [x, y] : it->second) line.push_back({x, y, 0});
    line.push_back({b.position[0], b.position[1], 0});
    std::vector<PipePoint> distinct;
    for (const auto& p : line)
      if (distinct.empty() || distinct.back()[0] != p[0] || distinct.back()[1] != p[1])
        distinct.push_back(p);
    if (distinct.size() < 2) {
      // Pumps and valves are often drawn with both nodes at one place: they stay, as a point
      // (a link of no length). A pipe needs two points.
      if (link.type == "pump" || link.type == "valve") {
        distinct.push_back(distinct.front());
      } else {
        issue(r, link.id, ErrorCode::kDegenerateLine, "",
              link.id + ": its nodes (and vertices) are all at one point; a pipe needs two");
        return false;
      }
    }
    const double total = planar_length(distinct);
    double run = 0;
    for (std::size_t i = 0; i < distinct.size(); ++i) {
      if (i > 0)
        run += std::hypot(distinct[i][0] - distinct[i - 1][0], distinct[i][1] - distinct[i - 1][1]);
      distinct[i][2] = za + (zb - za) * (total > 0 ? run / total : 0);
    }
    link.centreline = std::move(distinct);
    return true;
  }

  bool add_link(const Row& r, PipeLink link) {
    if (!link_ids_.insert(link.id).second) {
      issue(r, link.id, ErrorCode::kDuplicateId, "id",
            "link '" + link.id + "' is defined twice; ids must be unique");
      return false;
    }
    link.source = path_ + ":" + std::to_string(r.line);
    out_.network.links.push_back(std::move(link));
    return true;
  }

  const std::vector<Row>* rows(const Sections& s, const char* name) const {
    auto it = s.find(name);
    return it == s.end() ? nullptr : &it->second;
  }

 private:
  std::string path_;
  NetworkRead out_;
  std::map<std::string, std::size_t> node_of_;
  std::map<std::string, int> node_line_;
  std::set<std::string> link_ids_;
  std::map<std::string, std::vector<std::pair<double, double>>> vertices_;
};

void read_epanet(const Sections& s, Builder& b) {
  // Flow units decide the unit system: US customary (elevations and lengths in ft, diameters
  // in inches) or SI (m, mm). EPANET's default is GPM.
  const std::string units = option(s, "UNITS", "GPM");
  const bool us =
      units == "CFS" || units == "GPM" || units == "MGD" || units == "IMGD" || units == "AFD";
  const double length_m = us ? 0.3048 : 1.0, diameter_m = us ? 0.0254 : 0.001;
  auto& net = b.result().network;
  net.format = "EPANET";
  net.flow_units = units;
  net.units = us ? "US customary (" + units + "): elevations and lengths in ft, diameters in in"
                 : "SI (" + units + "): elevations and lengths in m, diameters in mm";
  for (const auto& [section, type] : {std::pair<const char*, const char*>{"JUNCTIONS", "junction"},
                                      {"RESERVOIRS", "reservoir"},
                                      {"TANKS", "tank"}})
    if (const auto* rows = b.rows(s, section))
      for (const auto& r : *rows)
        if (auto z =
                b.value(r, 1, std::string(type) == "reservoir" ? "head" : "elevation", r.tokens[0]))
          if (PipeNode* n = b.add_node(r, type, *z * length_m, std::nullopt);
              n && std::string(type) == "junction" && r.tokens.size() > 2)
            n->demand = number(r.tokens[2]);  // base demand, in the flow units
  b.place_nodes(b.rows(s, "COORDINATES"));
  b.collect_vertices(b.rows(s, "VERTICES"));

  auto link_from = [&](const Row& r, const char* type, std::size_t diameter_column) {
    PipeLink link;
    link.id = r.tokens[0];
    link.type = type;
    if (r.tokens.size() < 3) {
      b.issue(r, link.id, ErrorCode::kFieldNull, "node2",
              link.id + ": a link needs an id and two nodes");
      return;
    }
    link.from_node = r.tokens[1];
    link.to_node = r.tokens[2];
    if (diameter_column > 0) {
      auto d = b.value(r, diameter_column, "diameter", link.id);
      if (!d) return;
      if (!(*d > 0)) {
        b.issue(r, link.id, ErrorCode::kBadDimension, "diameter",
                link.id + ": diameter " + r.tokens[diameter_column] + " is not positive");
        return;
      }
      if (!(*d * diameter_m <= kMaxPipeDiameterM)) {
        b.issue(r, link.id, ErrorCode::kBadDimension, "diameter",
                link.id + ": diameter " + r.tokens[diameter_column] + " (" +
                    std::to_string(*d * diameter_m) + " m) is implausible (at most " +
                    std::to_string(static_cast<int>(kMaxPipeDiameterM)) + " m; a unit error?)");
        return;
      }
      link.diameter_m = *d * diameter_m;
    }
    if (std::string(type) == "pipe") {
      auto l = b.value(r, 3, "length", link.id);
      if (!l) return;
      if (!(*l > 0)) {
        b.issue(r, link.id, ErrorCode::kBadDimension, "length",
                link.id + ": length " + r.tokens[3] + " is not positive");
        return;
      }
      link.declared_length_m = *l * length_m;
    }
    if (std::string(type) == "valve" && r.tokens.size() > 4) link.valve_type = upper(r.tokens[4]);
    const PipeNode *a = nullptr, *c = nullptr;
    if (!b.ends(r, link.id, link.from_node, link.to_node, a, c)) return;
    if (!b.centreline(r, link, *a, *c, a->position[2], c->position[2])) return;
    b.add_link(r, std::move(link));
  };
  if (const auto* rows = b.rows(s, "PIPES"))
    for (const auto& r : *rows) link_from(r, "pipe", 4);
  if (const auto* rows = b.rows(s, "VALVES"))
    for (const auto& r : *rows) link_from(r, "valve", 3);
  if (const auto* rows = b.rows(s, "PUMPS"))
    for (const auto& r : *rows) link_from(r, "pump", 0);
}

void read_swmm(const Sections& s, Builder& b) {
  // FLOW_UNITS CFS, GPM, MGD: every length (elevations, depths, offsets, section sizes) in ft;
  // CMS, LPS, MLD: in m. SWMM's default is CFS.
  const std::string units = option(s, "FLOW_UNITS", "CFS");
  const bool us = units == "CFS" || units == "GPM" || units == "MGD";
  const double f = us ? 0.3048 : 1.0;
  const bool offsets_are_elevations = option(s, "LINK_OFFSETS", "DEPTH") == "ELEVATION";
  auto& net = b.result().network;
  net.format = "SWMM";
  net.units =
      (us ? "US customary (" + units + "): lengths in ft" : "SI (" + units + "): lengths in m") +
      std::string(", link offsets as ") + (offsets_are_elevations ? "elevations" : "depths");
  struct NodeSection {
    const char* name;
    const char* type;
    std::size_t max_depth_column;  // 0: none
  };
  for (const auto& ns :
       {NodeSection{"JUNCTIONS", "junction", 2}, NodeSection{"OUTFALLS", "outfall", 0},
        NodeSection{"STORAGE", "storage", 2}, NodeSection{"DIVIDERS", "divider", 0}})
    if (const auto* rows = b.rows(s, ns.name))
      for (const auto& r : *rows) {
        auto invert = b.value(r, 1, "invert elevation", r.tokens[0]);
        if (!invert) continue;
        std::optional<double> ground;
        if (ns.max_depth_column > 0 && r.tokens.size() > ns.max_depth_column)
          if (auto depth = number(r.tokens[ns.max_depth_column]); depth && *depth > 0)
            ground = (*invert + *depth) * f;  // 0 means "up to the highest crown": unknown
        b.add_node(r, ns.type, *invert * f, ground);
      }
  b.place_nodes(b.rows(s, "COORDINATES"));
  b.collect_vertices(b.rows(s, "VERTICES"));

  // Cross-sections by link: shape and the full height (geom1), the pipe's diameter.
  std::map<std::string, std::pair<std::string, std::optional<double>>> sections;
  if (const auto* rows = b.rows(s, "XSECTIONS"))
    for (const auto& r : *rows) {
      if (r.tokens.size() < 3) continue;  // IRREGULAR sections name a transect: no size
      sections[r.tokens[0]] = {upper(r.tokens[1]), number(r.tokens[2])};
    }
  if (const auto* rows = b.rows(s, "CONDUITS"))
    for (const auto& r : *rows) {
      PipeLink link;
      link.id = r.tokens[0];
      link.type = "conduit";
      if (r.tokens.size() < 3) {
        b.issue(r, link.id, ErrorCode::kFieldNull, "to node",
                link.id + ": a conduit needs a name and two nodes");
        continue;
      }
      link.from_node = r.tokens[1];
      link.to_node = r.tokens[2];
      auto length = b.value(r, 3, "length", link.id);
      if (!length) continue;
      if (!(*length > 0)) {
        b.issue(r, link.id, ErrorCode::kBadDimension, "length",
                link.id + ": length " + r.tokens[3] + " is not positive");
        continue;
      }
      link.declared_length_m = *length * f;
      // Offsets: '*' (elevation mode) or a missing value mean the node's invert.
      auto offset = [&](std::size_t k) -> std::optional<double> {
        if (k >= r.tokens.size() || r.tokens[k] == "*") return std::nullopt;
        return b.value(r, k, k == 5 ? "inlet offset" : "outlet offset", link.id);
      };
      const auto in_offset = offset(5), out_offset = offset(6);
      if ((r.tokens.size() > 5 && r.tokens[5] != "*" && !in_offset) ||
          (r.tokens.size() > 6 && r.tokens[6] != "*" && !out_offset))
        continue;
      auto xs = sections.find(link.id);
      if (xs == sections.end() || !xs->second.second) {
        b.issue(r, link.id, ErrorCode::kFieldNull, "xsection",
                link.id +
                    ": no cross-section with a size in [XSECTIONS]; its diameter is unknown "
                    "(kept with none)",
                FeatureStatus::kWarning);
      } else if (!(*xs->second.second > 0)) {
        b.issue(r, link.id, ErrorCode::kBadDimension, "xsection",
                link.id + ": cross-section height " + std::to_string(*xs->second.second) +
                    " is not positive");
        continue;
      } else if (!(*xs->second.second * f <= kMaxPipeDiameterM)) {
        b.issue(r, link.id, ErrorCode::kBadDimension, "xsection",
                link.id + ": cross-section height " + std::to_string(*xs->second.second) +
                    " is implausible (at most " +
                    std::to_string(static_cast<int>(kMaxPipeDiameterM)) + " m; a unit error?)");
        continue;
      } else {
        link.shape = xs->second.first;
        link.diameter_m = *xs->second.second * f;
      }
      const PipeNode *a = nullptr, *c = nullptr;
      if (!b.ends(r, link.id, link.from_node, link.to_node, a, c)) continue;
      auto invert_at = [&](const PipeNode& n, const std::optional<double>& o) {
        if (!o) return n.position[2];
        return offsets_are_elevations ? *o * f : n.position[2] + *o * f;
      };
      link.invert_start = invert_at(*a, in_offset);
      link.invert_end = invert_at(*c, out_offset);
      link.ground_start = a->ground;
      link.ground_end = c->ground;
      if (a->ground) link.cover_start = *a->ground - (*link.invert_start + link.diameter_m);
      if (c->ground) link.cover_end = *c->ground - (*link.invert_end + link.diameter_m);
      const double half = link.diameter_m / 2;
      if (!b.centreline(r, link, *a, *c, *link.invert_start + half, *link.invert_end + half))
        continue;
      b.add_link(r, std::move(link));
    }
}

}  // namespace

NetworkRead read_network_inp(const std::string& path) {
  const Sections s = read_sections(path);
  Builder b(path);
  if (s.count("CONDUITS"))
    read_swmm(s, b);
  else if (s.count("PIPES"))
    read_epanet(s, b);
  else
    throw StrataError(ErrorCode::kUnsupportedFormat,
                      path +
                          ": neither an EPANET file (no [PIPES] section) nor a SWMM file (no "
                          "[CONDUITS] section)");
  return std::move(b.result());
}

}  // namespace strata::io
