// Replay driver for builds without libFuzzer: runs every seed file of a corpus folder, then
// N deterministic mutations of them (byte flips, truncations, splices), so the fuzz targets
// also run as ordinary tests under gcc and the sanitizer preset.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR [MUTATIONS]\n", argv[0]);
    return 2;
  }
  std::vector<std::string> seeds;
  for (const auto& entry : std::filesystem::directory_iterator(argv[1])) {
    std::ifstream in(entry.path(), std::ios::binary);
    seeds.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  if (seeds.empty()) {
    std::fprintf(stderr, "no seeds in %s\n", argv[1]);
    return 1;
  }
  auto run = [](const std::string& s) {
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
  };
  for (const auto& s : seeds) run(s);
  const long mutations = argc > 2 ? std::atol(argv[2]) : 10000;
  std::mt19937_64 rng(20261122);
  const std::string interesting[] = {"/",  "分之", ".", "%", "\"", "=",    "[",         "]",
                                     "\n", "${",   "}", "0", "9",  "\xff", "[[layers]]"};
  for (long i = 0; i < mutations; ++i) {
    std::string s = seeds[rng() % seeds.size()];
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      std::size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
      switch (rng() % 5) {
        case 0:
          if (!s.empty() && pos < s.size()) s[pos] = static_cast<char>(rng() & 0xff);
          break;
        case 1:
          s.resize(pos);
          break;
        case 2:
          s.insert(pos, interesting[rng() % std::size(interesting)]);
          break;
        case 3:
          if (pos < s.size()) s.erase(pos, 1 + rng() % 8);
          break;
        case 4:
          s.insert(pos, seeds[rng() % seeds.size()].substr(0, 1 + rng() % 64));
          break;
      }
    }
    run(s);
  }
  std::printf("%zu seeds and %ld mutations ran without a crash\n", seeds.size(), mutations);
  return 0;
}
