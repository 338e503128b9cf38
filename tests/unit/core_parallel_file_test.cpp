// core/parallel.h (the one thread pool) and core/atomic_file.h (the one "whole or not at all"
// file writer).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "strata/core/atomic_file.h"
#include "strata/core/parallel.h"

namespace strata {
namespace {

TEST(Parallel, EveryItemRunsOnceAndWorkersNeverOverlap) {
  const std::size_t n = 20000;
  const unsigned workers = 4;
  std::vector<std::atomic<int>> runs(n);
  std::vector<std::atomic<int>> busy(workers);
  std::atomic<bool> overlap{false}, out_of_range{false};
  parallel_for(n, workers, [&](unsigned w, std::size_t i) {
    if (w >= workers) {
      out_of_range = true;
      return;
    }
    if (busy[w].fetch_add(1) != 0) overlap = true;  // two items on one worker at once
    runs[i].fetch_add(1);
    busy[w].fetch_sub(1);
  });
  EXPECT_FALSE(out_of_range);
  EXPECT_FALSE(overlap);
  for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(runs[i].load(), 1) << i;
}

TEST(Parallel, AnExceptionStopsTheLoopAndIsRethrown) {
  // The fifth item to start throws; each item takes 200 µs, so a loop that went on regardless
  // would run all 2,000 (0.2 s per worker), one that stops runs a handful more at most.
  std::atomic<std::size_t> started{0};
  EXPECT_THROW(parallel_for(2000, 2,
                            [&](unsigned, std::size_t) {
                              if (++started == 5) throw std::invalid_argument("the fifth item");
                              std::this_thread::sleep_for(std::chrono::microseconds(200));
                            }),
               std::invalid_argument);
  EXPECT_LT(started.load(), 1000u);  // the items not yet started were cancelled
}

TEST(Parallel, MoreWorkersThanCoresRunQuietly) {
  // TBB warns on stderr when an arena asks for more threads than it allows; strata's --json
  // output and `-q` promise a clean stderr.
  testing::internal::CaptureStderr();
  std::atomic<int> sum{0};
  for (unsigned workers : {2u, 3u, 8u, 32u})
    parallel_for(1000, workers, [&](unsigned, std::size_t) { ++sum; });
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
  EXPECT_EQ(sum.load(), 4000);
}

TEST(Parallel, WorkerCountIsBoundedByTheItems) {
  EXPECT_EQ(worker_count(8, 3), 3u);
  EXPECT_EQ(worker_count(2, 100), 2u);
  EXPECT_EQ(worker_count(5, 0), 1u);
  EXPECT_GE(worker_count(0, 1000), 1u);
}

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> temporaries(const std::filesystem::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().filename().string().find("writing-") != std::string::npos ||
        e.path().filename().string().find("creating-") != std::string::npos)
      out.push_back(e.path().filename().string());
  return out;
}

// The pid of a process that has ended (forked, reaped).
pid_t dead_pid() {
  const pid_t child = fork();
  if (child == 0) _exit(0);
  waitpid(child, nullptr, 0);
  return child;
}

TEST(AtomicFile, AFailedWriteLeavesThePreviousFileAndNoTemporary) {
  const auto dir = std::filesystem::temp_directory_path() / "strata_atomic_file_test";
  std::filesystem::remove_all(dir);
  const auto target = dir / "nested" / "out.csv";
  write_text_atomically(target, [](std::ostream& o) { o << "first\n"; });
  EXPECT_EQ(read(target), "first\n");
  EXPECT_THROW(write_text_atomically(target,
                                     [](std::ostream& o) {
                                       o << "half";
                                       throw std::runtime_error("disk full");
                                     }),
               std::runtime_error);
  EXPECT_EQ(read(target), "first\n");
  EXPECT_TRUE(temporaries(target.parent_path()).empty());
  // The temporary keeps the target's extension (drivers choose a format by it).
  std::filesystem::path seen;
  replace_file_atomically(target, [&](const std::filesystem::path& t) {
    seen = t;
    std::ofstream(t) << "second\n";
  });
  EXPECT_EQ(seen.extension(), ".csv");
  EXPECT_EQ(seen.parent_path(), target.parent_path());
  EXPECT_EQ(read(target), "second\n");
  std::filesystem::remove_all(dir);
}

TEST(AtomicFile, StaleTemporariesOfDeadProcessesGoOthersStay) {
  const auto dir = std::filesystem::temp_directory_path() / "strata_atomic_stale_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string dead = std::to_string(dead_pid()), mine = std::to_string(getpid());
  const std::vector<std::string> stale = {
      ".writing-" + dead + "-OUT.gpkg", ".writing-" + dead + "-OUT.gpkg-journal",
      "OUT.gpkg.writing-" + dead + ".gpkg", "OUT.gpkg.creating-" + dead};
  const std::vector<std::string> kept = {".writing-" + mine + "-OUT.gpkg",
                                         ".writing-" + dead + "-OTHER.gpkg",
                                         "OTHER.gpkg.writing-" + dead};
  for (const auto& n : stale) std::ofstream(dir / n) << "x";
  for (const auto& n : kept) std::ofstream(dir / n) << "x";
  remove_stale_temporaries(dir / "OUT.gpkg");
  for (const auto& n : stale) EXPECT_FALSE(std::filesystem::exists(dir / n)) << n;
  for (const auto& n : kept) EXPECT_TRUE(std::filesystem::exists(dir / n)) << n;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace strata
