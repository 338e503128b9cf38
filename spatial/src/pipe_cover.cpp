#include "strata/spatial/pipe_cover.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace strata::spatial {

const char* cover_kind_name(CoverKind kind) {
  return kind == CoverKind::kShallow ? "shallow" : "above ground";
}

namespace {

struct Station {
  double s;  // along the pipe, m
  double x, y, z, ground, cover;
};

// The stretches where cover < limit, cover linear between stations: exact ends by
// interpolation. Each becomes a finding of `kind`.
void stretches_below(const std::vector<Station>& st, double limit, CoverKind kind,
                     std::size_t network, const PipeLink& pipe, std::optional<double> rule,
                     std::vector<CoverFinding>& out, double& total) {
  std::optional<CoverFinding> open;
  auto at = [](const Station& a, const Station& b, double t) {
    auto mix = [t](double u, double w) { return u + t * (w - u); };
    return Station{mix(a.s, b.s), mix(a.x, b.x),           mix(a.y, b.y),
                   mix(a.z, b.z), mix(a.ground, b.ground), mix(a.cover, b.cover)};
  };
  auto note_min = [&](const Station& p) {
    if (p.cover < open->min_cover_m) {
      open->min_cover_m = p.cover;
      open->location = {p.x, p.y, p.z};
      open->ground_z = p.ground;
    }
  };
  auto start = [&](const Station& p) {
    open = CoverFinding{network, &pipe, kind, p.s, p.s, p.cover, rule, {p.x, p.y, p.z}, p.ground};
  };
  if (st.front().cover < limit) start(st.front());
  for (std::size_t i = 1; i < st.size(); ++i) {
    const Station &a = st[i - 1], &b = st[i];
    const bool a_in = a.cover < limit, b_in = b.cover < limit;
    if (a_in != b_in) {
      const double t = (limit - a.cover) / (b.cover - a.cover);
      const Station c = at(a, b, t);
      if (b_in) {
        start(c);
      } else {
        open->to_m = c.s;
        note_min(c);
        total += open->to_m - open->from_m;
        out.push_back(*open);
        open.reset();
      }
    }
    if (b_in) {
      note_min(b);
      open->to_m = b.s;
    }
  }
  if (open) {
    total += open->to_m - open->from_m;
    out.push_back(*open);
  }
}

}  // namespace

CoverResult check_cover(const std::vector<const PipeNetwork*>& networks, const io::PipeRules& rules,
                        const CoverOptions& o) {
  CoverResult out;
  std::set<std::string> no_rule;
  for (std::size_t n = 0; n < networks.size(); ++n) {
    const PipeNetwork& net = *networks[n];
    for (const auto& link : net.links) {
      const auto& c = link.centreline;
      if (c.size() < 2) continue;
      const double r = link.diameter_m / 2;
      double total = 0;
      for (std::size_t i = 1; i < c.size(); ++i)
        total += std::hypot(c[i][0] - c[i - 1][0], c[i][1] - c[i - 1][1]) * o.unit_m;
      // Stations: every vertex, and enough between for the ground to be followed.
      std::vector<Station> st;
      bool known = true;
      double run = 0;
      auto add = [&](double s, double x, double y, double z) {
        auto g = ground_above(net, link, o.ground, total > 0 ? s / total : 0, x, y);
        if (!g) {
          known = false;
          return;
        }
        st.push_back({s, x, y, z, *g, *g - z - r});
      };
      add(0, c[0][0], c[0][1], c[0][2]);
      for (std::size_t i = 1; i < c.size() && known; ++i) {
        const double len = std::hypot(c[i][0] - c[i - 1][0], c[i][1] - c[i - 1][1]) * o.unit_m;
        const int pieces =
            o.ground.terrain ? std::max(1, static_cast<int>(std::ceil(len / o.step_m))) : 1;
        for (int q = 1; q <= pieces && known; ++q) {
          const double t = static_cast<double>(q) / pieces;
          add(run + t * len, c[i - 1][0] + t * (c[i][0] - c[i - 1][0]),
              c[i - 1][1] + t * (c[i][1] - c[i - 1][1]), c[i - 1][2] + t * (c[i][2] - c[i - 1][2]));
        }
        run += len;
      }
      if (!known) {
        out.without_ground.push_back(link.id);
        continue;
      }
      ++out.summary.pipes_checked;
      out.summary.length_checked_m += total;
      const auto d = rules.defaults.find(link.utility);
      const std::optional<double> rule =
          d == rules.defaults.end() ? std::nullopt : d->second.min_cover_m;
      if (rule && *rule > 0)
        stretches_below(st, *rule, CoverKind::kShallow, n, link, rule, out.findings,
                        out.summary.length_shallow_m);
      else if (!rule)
        no_rule.insert(std::string(utility_name(link.utility)));
      stretches_below(st, 0, CoverKind::kAboveGround, n, link, rule, out.findings,
                      out.summary.length_above_ground_m);
    }
  }
  out.without_rule.assign(no_rule.begin(), no_rule.end());
  std::stable_sort(out.findings.begin(), out.findings.end(), [](const auto& a, const auto& b) {
    return std::tie(a.network, a.pipe->id, a.from_m, a.kind) <
           std::tie(b.network, b.pipe->id, b.from_m, b.kind);
  });
  return out;
}

}  // namespace strata::spatial
