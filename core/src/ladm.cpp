#include "strata/core/ladm.h"

#include <charconv>

namespace strata {

std::string_view unit_kind_name(UnitKind kind) {
  switch (kind) {
    case UnitKind::kMain:
      return "main";
    case UnitKind::kAnnex:
      return "annex";
    case UnitKind::kCommon:
      return "common";
  }
  return "main";
}

std::optional<UnitKind> parse_unit_kind(std::string_view text) {
  if (text == "main" || text == "主建物") return UnitKind::kMain;
  if (text == "annex" || text == "附屬建物") return UnitKind::kAnnex;
  if (text == "common" || text == "共有部分" || text == "共同使用部分") return UnitKind::kCommon;
  return std::nullopt;
}

namespace {

std::optional<int> parse_one_floor(std::string_view t) {
  while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  bool basement = false;
  if (!t.empty() && (t.front() == 'B' || t.front() == 'b')) {
    basement = true;
    t.remove_prefix(1);
  }
  int n = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
  if (ec != std::errc() || end != t.data() + t.size() || n <= 0 || n > 300) return std::nullopt;
  return basement ? -n : n;
}

}  // namespace

std::optional<std::vector<int>> parse_floors(std::string_view text) {
  std::vector<int> floors;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find_first_of(",;", start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view part = text.substr(start, comma - start);
    // A range "2-4" or "B2-B1"; a single floor otherwise.
    const auto dash = part.find('-', 1);
    if (dash != std::string_view::npos) {
      auto a = parse_one_floor(part.substr(0, dash));
      auto b = parse_one_floor(part.substr(dash + 1));
      if (!a || !b || *b < *a) return std::nullopt;
      for (int f = *a; f <= *b; ++f)
        if (f != 0) floors.push_back(f);
    } else {
      auto f = parse_one_floor(part);
      if (!f) return std::nullopt;
      floors.push_back(*f);
    }
    start = comma + 1;
  }
  if (floors.empty()) return std::nullopt;
  return floors;
}

bool is_iso_date(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return false;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
    if (t[i] < '0' || t[i] > '9') return false;
  const int month = (t[5] - '0') * 10 + (t[6] - '0'), day = (t[8] - '0') * 10 + (t[9] - '0');
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

std::string floor_label(int floor) {
  return floor < 0 ? "B" + std::to_string(-floor) : std::to_string(floor);
}

}  // namespace strata
