#pragma once
// Underground networks as the pipe analyses see them (DESIGN §7): links (pipes, valves, pumps,
// conduits) with a 3D centreline and a diameter, joined at nodes (junctions, tanks, manholes,
// outfalls). Heights are elevations in the source's vertical reference; every length is in
// metres, whatever units the source used.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata {

// No pipe, culvert or utility tunnel is wider: a larger diameter is a unit error (inches read as
// millimetres, millimetres as metres) or a broken value, rejected (936) rather than analysed.
inline constexpr double kMaxPipeDiameterM = 20.0;

// Utility carried by a network (the clearance rules are per utility pair).
enum class Utility { kWater, kSewer, kStorm, kGas, kPetroleum, kPower, kTelecom, kHeating, kOther };
std::string_view utility_name(Utility utility);  // "water", "sewer", ...
// English names and the usual Chinese ones (自來水, 污水, 雨水, 瓦斯 / 天然氣, 石油 / 油, 電力,
// 電信, ...); nothing for an unknown code.
std::optional<Utility> parse_utility(std::string_view text);

using PipePoint = std::array<double, 3>;  // x, y, z

struct PipeNode {
  std::string id;
  std::string type;  // junction, reservoir, tank, storage, outfall, divider
  PipePoint position{};
  bool has_position = false;  // the source gave its coordinates
  // Ground (rim) elevation where the source gives it (SWMM: invert + maximum depth).
  std::optional<double> ground;
  std::optional<double> demand;  // EPANET junctions' base demand, in the network's flow units
  std::string source;            // "file:line"
};

struct PipeLink {
  std::string id;
  std::string type = "pipe";  // pipe, valve, pump, conduit
  Utility utility = Utility::kOther;
  std::string material, owner;
  std::optional<int> install_year;
  // What a rule supplied because the source did not: "depth", "diameter". Every result built
  // on the link says so.
  std::vector<std::string> assumed;
  std::string valve_type;  // PRV, TCV, ... for valves
  std::string from_node, to_node;
  std::vector<PipePoint> centreline;        // the axis, from_node to to_node
  double diameter_m = 0;                    // 0 when the source gives none (pumps)
  std::string shape;                        // SWMM cross-section (CIRCULAR, ...)
  std::optional<double> declared_length_m;  // as the source states it (not the drawn length)
  // Elevations of the pipe's bottom (invert) at both ends, where the source gives them.
  std::optional<double> invert_start, invert_end;
  // Depth of the pipe's top below the ground at both ends (ground − invert − diameter).
  std::optional<double> cover_start, cover_end;
  // The ground's elevation above both ends, where the source gives it (SWMM rims, a terrain
  // the layer was read with).
  std::optional<double> ground_start, ground_end;
  std::string source;  // "file:line"
};

// What a network's z values are measured from.
enum class PipeHeights {
  kElevation,    // elevations in the source's vertical reference (.inp files, 3D lines)
  kBelowGround,  // below a flat ground at z = 0 (cover depths read without a terrain)
};

struct PipeNetwork {
  std::string format;  // "EPANET", "SWMM"
  PipeHeights heights = PipeHeights::kElevation;
  std::string units;       // how the source's units were read, e.g. "US customary (GPM): ft, in"
  std::string flow_units;  // EPANET: the unit of demands (GPM, LPS, ...)
  std::vector<PipeNode> nodes;
  std::vector<PipeLink> links;
};

// Planar and 3D length of a centreline.
double planar_length(const std::vector<PipePoint>& line);
double length_3d(const std::vector<PipePoint>& line);

}  // namespace strata
