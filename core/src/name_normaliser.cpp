#include "strata/core/name_normaliser.h"

namespace strata {

NameNormaliser::NameNormaliser() {
  add("台", "臺");
  add("\xE3\x80\x80", "");  // U+3000 ideographic (full-width) space
}

void NameNormaliser::add(std::string variant, std::string canonical) {
  if (!variant.empty()) replacements_.emplace_back(std::move(variant), std::move(canonical));
}

std::string NameNormaliser::normalise(std::string_view name) const {
  std::string out(name);
  for (const auto& [from, to] : replacements_) {
    for (auto pos = out.find(from); pos != std::string::npos; pos = out.find(from, pos + to.size()))
      out.replace(pos, from.size(), to);
  }
  auto b = out.find_first_not_of(" \t\r\n");
  auto e = out.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : out.substr(b, e - b + 1);
}

}  // namespace strata
