#include "strata/render/palette.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "strata/core/error.h"

namespace strata::render {

Rgba Rgba::hex(unsigned rgb, double alpha) {
  return {((rgb >> 16) & 0xff) / 255.0, ((rgb >> 8) & 0xff) / 255.0, (rgb & 0xff) / 255.0, alpha};
}

std::string Rgba::css() const {
  char buf[8];
  auto c = [](double v) { return static_cast<unsigned>(std::clamp(v, 0.0, 1.0) * 255.0 + 0.5); };
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", c(r), c(g), c(b));
  return buf;
}

namespace {

// ColorBrewer 9-class sequential schemes (Cynthia Brewer, Penn State; the colour values are
// facts of the scheme).
const std::map<std::string, std::vector<unsigned>>& schemes() {
  static const std::map<std::string, std::vector<unsigned>> s = {
      {"YlGn",
       {0xffffe5, 0xf7fcb9, 0xd9f0a3, 0xaddd8e, 0x78c679, 0x41ab5d, 0x238443, 0x006837, 0x004529}},
      {"Greens",
       {0xf7fcf5, 0xe5f5e0, 0xc7e9c0, 0xa1d99b, 0x74c476, 0x41ab5d, 0x238b45, 0x006d2c, 0x00441b}},
      {"Blues",
       {0xf7fbff, 0xdeebf7, 0xc6dbef, 0x9ecae1, 0x6baed6, 0x4292c6, 0x2171b5, 0x08519c, 0x08306b}},
      {"OrRd",
       {0xfff7ec, 0xfee8c8, 0xfdd49e, 0xfdbb84, 0xfc8d59, 0xef6548, 0xd7301f, 0xb30000, 0x7f0000}},
      {"Purples",
       {0xfcfbfd, 0xefedf5, 0xdadaeb, 0xbcbddc, 0x9e9ac8, 0x807dba, 0x6a51a3, 0x54278f, 0x3f007d}},
      {"YlOrBr",
       {0xffffe5, 0xfff7bc, 0xfee391, 0xfec44f, 0xfe9929, 0xec7014, 0xcc4c02, 0x993404, 0x662506}},
  };
  return s;
}

}  // namespace

const std::vector<std::string>& sequential_palette_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& [k, v] : schemes()) n.push_back(k);
    return n;
  }();
  return names;
}

std::vector<Rgba> sequential_palette(const std::string& scheme, int classes) {
  auto it = schemes().find(scheme);
  if (it == schemes().end()) {
    std::string names;
    for (const auto& n : sequential_palette_names()) names += (names.empty() ? "" : ", ") + n;
    throw StrataError(ErrorCode::kWrongInputParameters,
                      "unknown palette '" + scheme + "' (palettes: " + names + ")");
  }
  classes = std::clamp(classes, 1, 9);
  // Evenly spaced colours of the 9-class scheme, from its second (the palest is nearly white and
  // would vanish on the page) to its last; with 9 classes all nine, so no two classes share one.
  std::vector<Rgba> out;
  for (int i = 0; i < classes; ++i) {
    const int idx = classes == 1 ? 5 : classes == 9 ? i : 1 + (i * 7) / (classes - 1);
    out.push_back(Rgba::hex(it->second[static_cast<std::size_t>(idx)]));
  }
  return out;
}

Rgba utility_colour(Utility utility) {
  switch (utility) {
    case Utility::kGas:
      return Rgba::hex(0xe6b800);  // APWA yellow, darkened
    case Utility::kPetroleum:
      return Rgba::hex(0xa67c00);  // APWA yellow too: a darker gold, to tell it from gas
    case Utility::kPower:
      return Rgba::hex(0xd7191c);
    case Utility::kTelecom:
      return Rgba::hex(0xf28e2b);
    case Utility::kWater:
      return Rgba::hex(0x1f78b4);
    case Utility::kSewer:
    case Utility::kStorm:
      return Rgba::hex(0x33a02c);
    case Utility::kHeating:
      return Rgba::hex(0x6a3d9a);
    case Utility::kOther:
      break;
  }
  return Rgba::hex(0x7f7f7f);
}

Rgba category_colour(std::size_t n) {
  static const unsigned cycle[] = {0x1f78b4, 0x33a02c, 0xe31a1c, 0xff7f00, 0x6a3d9a, 0xb15928,
                                   0xa6cee3, 0xb2df8a, 0xfb9a99, 0xfdbf6f, 0xcab2d6, 0xffff99};
  return Rgba::hex(cycle[n % (sizeof cycle / sizeof cycle[0])]);
}

}  // namespace strata::render
