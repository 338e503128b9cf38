#pragma once
// EPANET and SWMM input files (.inp): a network's nodes and links as 3D pipes, lengths and
// heights in metres whatever the file's unit system. Format and rules: docs/pipes.md.
#include <string>
#include <vector>

#include "strata/core/feature_issue.h"
#include "strata/core/pipe.h"

namespace strata::io {

struct NetworkRead {
  PipeNetwork network;
  // Rows that could not be read, links naming unknown nodes, bad dimensions: each with the
  // file, its line (fid), the element id, the field and what was expected.
  std::vector<FeatureIssue> issues;
};

// Reads an EPANET (.inp with [PIPES]) or SWMM (.inp with [CONDUITS]) file.
//   EPANET: nodes from [JUNCTIONS] (elevation), [RESERVOIRS] (head), [TANKS] (elevation) placed
//   by [COORDINATES]; links from [PIPES], [VALVES], [PUMPS] with [VERTICES]; the centreline's
//   height runs linearly from one node's elevation to the other's.
//   SWMM: nodes from [JUNCTIONS], [OUTFALLS], [STORAGE], [DIVIDERS] (invert elevation; ground =
//   invert + maximum depth); conduits from [CONDUITS] with their offsets (LINK_OFFSETS DEPTH or
//   ELEVATION) and [XSECTIONS] (the height of the section is the diameter); the centreline runs
//   half a diameter above the inverts.
// Throws StrataError 901 when the file cannot be read, 904 when it holds neither format.
NetworkRead read_network_inp(const std::string& path);

}  // namespace strata::io
