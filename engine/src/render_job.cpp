#include "strata/engine/render_job.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <unistd.h>
#include <cerrno>
#include <csignal>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "strata/core/error.h"
#include "strata/render/scene.h"

extern char** environ;

namespace strata::engine {

nlohmann::json draw_map_files(const render::MapDocument& map, const std::vector<std::string>& outs,
                              int width, int height) {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& out : outs) {
    const auto r = render::render_map(map, out, width, height);
    files.push_back({{"path", out},
                     {"format", std::filesystem::path(out).extension().string().substr(1)},
                     {"width", r.width},
                     {"height", r.height},
                     {"bytes", std::filesystem::file_size(out)},
                     {"labels_drawn", r.labels_drawn},
                     {"labels_skipped", r.labels_skipped},
                     {"scale_bar_m", r.scale_bar_m}});
  }
  return files;
}

nlohmann::json choropleth_json(const render::Choropleth& c) {
  nlohmann::json classes = nlohmann::json::array();
  const auto colours = c.map.legend;
  for (int i = 0; i < c.breaks.size(); ++i) {
    const auto k = static_cast<std::size_t>(i);
    classes.push_back({{"lower", c.breaks.lower[k]},
                       {"upper", c.breaks.upper[k]},
                       {"count", c.breaks.counts[k]},
                       {"colour", colours[k].colour.css()},
                       {"legend", colours[k].label}});
  }
  nlohmann::json features = nlohmann::json::array();
  for (const auto& f : c.features)
    features.push_back({{"id", f.id},
                        {"label", f.label},
                        {"value", f.value ? nlohmann::json(*f.value) : nlohmann::json(nullptr)},
                        {"class", f.cls}});
  return {{"method", render::class_method_name(c.breaks.method)},
          {"classes", classes},
          {"features", features},
          {"without_value", c.without_value},
          {"crs", c.crs}};
}

namespace {

std::string& renderer_program() {
  static std::string program;
  return program;
}

std::string self_exe() {
  if (!renderer_program().empty()) return renderer_program();
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("strata") : p.string();
}

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (!path) return false;
  std::stringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':'))
    if (!dir.empty() && ::access((dir + "/" + program).c_str(), X_OK) == 0) return true;
  return false;
}

}  // namespace

void reexec_under_xvfb_if_needed(int width, int height) {
  // xvfb-run needs xauth; without it, it fails with its own exit code (3) instead of ours.
  if (render::display_available() || std::getenv("STRATA_UNDER_XVFB") || !on_path("xvfb-run") ||
      !on_path("xauth"))
    return;
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.is_open() || all.empty()) return;  // no command line to repeat: report 985 instead
  std::vector<std::string> args = {
      "xvfb-run", "-a", "-s",
      "-screen 0 " + std::to_string(width + 64) + "x" + std::to_string(height + 64) + "x24",
      self_exe()};
  std::size_t start = all.find('\0');  // skip argv[0]: the resolved executable replaces it
  while (start != std::string::npos && start + 1 < all.size()) {
    const std::size_t end = all.find('\0', start + 1);
    args.push_back(all.substr(start + 1, end - start - 1));
    start = end;
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::setenv("STRATA_UNDER_XVFB", "1", 1);  // the child must not try again
  ::execvp("xvfb-run", argv.data());
  // exec failed: fall through, and the renderer reports that there is no display.
}

namespace {

// An anonymous temporary file (unlinked at once), not inherited by children unless dup2'ed.
int temporary_fd() {
  const char* dir = std::getenv("TMPDIR");
  std::string name = std::string(dir && *dir ? dir : "/tmp") + "/strata-child-XXXXXX";
  const int fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0)
    throw StrataError(ErrorCode::kRenderFailed, "cannot create a temporary file in " + name);
  ::unlink(name.c_str());
  return fd;
}

std::string read_all(int fd) {
  std::string out;
  ::lseek(fd, 0, SEEK_SET);
  char buf[65536];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;)
    out.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return out;
}

nlohmann::json child_failure(const std::string& why, const std::string& stderr_text) {
  std::string last = stderr_text;
  while (!last.empty() && (last.back() == '\n' || last.back() == '\r')) last.pop_back();
  if (auto nl = last.rfind('\n'); nl != std::string::npos) last = last.substr(nl + 1);
  return {{"ok", false},
          {"error",
           {{"code", 985},
            {"code_name", "RENDER_FAILED"},
            {"message", "render scene " + why + (last.empty() ? "" : " (" + last + ")")}}}};
}

}  // namespace

void set_renderer_program(const std::string& program) { renderer_program() = program; }

nlohmann::json render_scene_in_child(const std::vector<std::string>& args, int timeout_s) {
  std::vector<std::string> all = {self_exe(), "--json", "-q", "render", "scene"};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int out_fd = temporary_fd(), err_fd = temporary_fd();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    ::close(out_fd);
    ::close(err_fd);
    throw StrataError(ErrorCode::kRenderFailed, "cannot start " + all[0] + " render scene");
  }
  // Wait, but not forever: a hung OpenGL stack or X server must not hang the run.
  int status = 0;
  bool timed_out = false;
  for (int waited_ms = 0;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) break;
    if (waited_ms >= timeout_s * 1000) {
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      timed_out = true;
      break;
    }
    ::usleep(50 * 1000);
    waited_ms += 50;
  }
  const std::string out = read_all(out_fd), err = read_all(err_fd);
  if (timed_out)
    return child_failure("did not finish in " + std::to_string(timeout_s) + " s and was stopped",
                         err);
  // The document is the last thing the child prints; anything a library wrote before it is
  // skipped.
  const auto start = out.find("{\n");
  auto doc =
      nlohmann::json::parse(start == std::string::npos ? out : out.substr(start), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    const std::string why =
        WIFSIGNALED(status)
            ? "was killed by signal " + std::to_string(WTERMSIG(status))
            : "exited with " + std::to_string(WEXITSTATUS(status)) + " without a result";
    return child_failure(why, err);
  }
  return doc;
}

JobResult run_render_map(const MapOptions& a) {
  auto method = render::parse_class_method(a.method);
  if (!method)
    throw StrataError(ErrorCode::kWrongInputParameters,
                      "--classes '" + a.method + "': use quantile, natural, equal or fixed");
  if (*method == render::ClassMethod::kFixed && a.breaks.empty())
    throw StrataError(ErrorCode::kWrongInputParameters, "--classes fixed needs --breaks");
  render::ChoroplethSpec spec;
  spec.path = a.source;
  spec.layer = a.layer;
  spec.field = a.field;
  spec.label_field = a.label_field;
  spec.id_field = a.id_field;
  spec.method = *method;
  spec.classes = a.classes;
  spec.fixed_breaks = a.breaks;
  spec.palette = a.palette;
  spec.title = a.title;
  spec.subtitle = a.subtitle;
  spec.legend_title = a.legend_title;
  const auto c = render::build_choropleth(spec);
  nlohmann::json result = choropleth_json(c);
  result["source"] = a.source;
  result["field"] = a.field;
  result["files"] = draw_map_files(c.map, a.outs, a.width, a.height);
  std::ostringstream text;
  text << a.field << ": " << c.features.size() << " features in " << c.breaks.size() << " "
       << render::class_method_name(c.breaks.method) << " classes\n";
  for (const auto& e : c.map.legend) text << "  " << e.colour.css() << "  " << e.label << "\n";
  for (const auto& f : result["files"]) text << "wrote " << f["path"].get<std::string>() << "\n";
  return JobResult("render map", std::move(result), text.str());
}

const OptionSchema<MapOptions>& map_option_schema() {
  using M = MapOptions;
  static const OptionSchema<M> schema = {
      option<M>(
          "layer", "layer of a multi-layer dataset", [](M & m) -> auto& { return m.layer; }),
      required(option<M>(
          "field", "numeric field to map", [](M & m) -> auto& { return m.field; })),
      option<M>(
          "label-field", "field drawn on each polygon (e.g. the name)",
          [](M & m) -> auto& { return m.label_field; }),
      option<M>(
          "id-field", "field identifying each feature in the JSON",
          [](M & m) -> auto& { return m.id_field; }),
      one_of(option<M>(
                 "classes", "class method: quantile, natural (Jenks), equal or fixed",
                 [](M & m) -> auto& { return m.method; }),
             {"quantile", "natural", "equal", "fixed"}),
      also(at_most(option<M>(
                       "class-count", "number of classes, 1-9",
                       [](M & m) -> auto& { return m.classes; }, OptionCheck::kPositive),
                   9),
           {"-k"}),
      option<M>(
          "breaks", "inner class bounds for --classes fixed (e.g. 10,20,50)",
          [](M & m) -> auto& { return m.breaks; }),
      option<M>(
          "palette", "YlGn, Greens, Blues, OrRd, Purples, YlOrBr",
          [](M & m) -> auto& { return m.palette; }),
      map_title_option<M>(),
      map_subtitle_option<M>(),
      option<M>(
          "legend-title", "legend heading (default: the field)",
          [](M & m) -> auto& { return m.legend_title; }),
      map_outs_option<M>(),
      image_width_option<M>(),
      image_height_option<M>()};
  return schema;
}

}  // namespace strata::engine
