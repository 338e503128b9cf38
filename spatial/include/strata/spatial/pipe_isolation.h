#pragma once
// Isolation trace (docs/pipes.md): for a break on a pipe, the valves to close, the stretch of
// network they shut off, what else loses its supply once they are closed, and the buildings
// served from either.
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "strata/core/geometry.h"
#include "strata/core/pipe.h"

namespace strata::spatial {

struct ValvePoint {
  std::string id;
  double x = 0, y = 0;  // in the network's units
};

struct ServedBuilding {
  std::string id;
  MultiPolygon2 outline;  // in the network's units
};

struct IsolationOptions {
  double unit_m = 1.0;
  double snap_m = 0.01;       // GIS line ends closer than this are one node
  double valve_snap_m = 1.0;  // a valve point lies on the nearest pipe within this
  double service_m = 30.0;    // a building is served by the nearest pipe within this
  // Nodes that feed the network; empty: the reservoirs and tanks of an EPANET file.
  std::vector<std::string> sources;
};

struct IsolationBreak {
  std::string pipe;                         // link id
  std::optional<std::array<double, 2>> at;  // where on it (default: its middle)
};

// A stretch of one link between two graph nodes (its ends, or valves on it).
struct PipeStretch {
  const PipeLink* pipe = nullptr;
  double from_m = 0, to_m = 0;  // along the link (planar, from its first vertex)
};

struct ValveToClose {
  std::string id;    // the valve point's id, or the valve link's
  std::string pipe;  // the link it sits on
  PipePoint location{};
};

struct AffectedBuilding {
  std::string id;
  std::string pipe;  // the link that serves it
  double distance_m = 0;
  bool isolated = false;  // served from the shut stretch (else cut off)
};

struct IsolationResult {
  std::vector<ValveToClose> valves;   // to close, by id
  std::vector<PipeStretch> isolated;  // shut off between the valves
  std::vector<PipeStretch> cut_off;   // no longer connected to a source
  std::vector<std::string> isolated_nodes, cut_off_nodes;
  bool sources_known = false;                      // else nothing is judged cut off
  std::vector<std::string> sources;                // the source nodes used
  double demand_isolated = 0, demand_cut_off = 0;  // EPANET base demand, flow units
  std::vector<AffectedBuilding> buildings;
  std::int64_t buildings_unserved = 0;          // no pipe within the service distance
  std::vector<std::string> valves_off_network;  // valve points near no pipe
  bool break_closable = true;  // false: no valve bounds the stretch (all of it is shut)
  // What makes the answer doubtful, said with the answer: control valves (PRV, FCV, ...) closed
  // because the network has no isolation valves; most of the network shut.
  std::vector<std::string> warnings;
  double network_length_m = 0;  // all pipe length, for the share shut
};

// One result per break, all on one graph (built, valves and buildings placed, once). Throws
// StrataError(kWrongInputParameters) when a break names no pipe of the network.
std::vector<IsolationResult> trace_isolations(const PipeNetwork& network,
                                              const std::vector<IsolationBreak>& breaks,
                                              const std::vector<ValvePoint>& valves,
                                              const std::vector<ServedBuilding>& buildings,
                                              const IsolationOptions& options);

}  // namespace strata::spatial
