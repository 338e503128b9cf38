#pragma once
// Colours of maps and scenes: ColorBrewer's sequential schemes for choropleths (Brewer, Penn
// State; the colour values are facts of the scheme), the APWA uniform colour code for
// utilities, and distinct colours for categories.
#include <string>
#include <vector>

#include "strata/core/pipe.h"

namespace strata::render {

struct Rgba {
  double r = 0, g = 0, b = 0, a = 1;  // 0..1
  static Rgba hex(unsigned rgb, double alpha = 1.0);
  std::string css() const;  // "#rrggbb"
};

// `classes` colours (1..9) of a ColorBrewer sequential scheme: YlGn, Greens, Blues, OrRd,
// Purples, YlOrBr. Throws StrataError(903) naming the schemes on an unknown name.
std::vector<Rgba> sequential_palette(const std::string& scheme, int classes);
const std::vector<std::string>& sequential_palette_names();

// APWA uniform colour code: gas/petroleum yellow, power red, telecom orange, water blue,
// sewer/storm green, heating purple (steam), other grey. Yellow is darkened so it reads on white.
Rgba utility_colour(Utility utility);

// The n-th of a cycle of distinct colours (ColorBrewer Set3/Paired), for BAUnits and categories.
Rgba category_colour(std::size_t n);

}  // namespace strata::render
