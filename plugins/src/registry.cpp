#include "strata/plugins/registry.h"

#include <dlfcn.h>
#include <elf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "strata/core/error.h"

namespace strata::plugins {
namespace {

// Collects what one library registers, so that a library that throws half-way adds nothing.
class CollectingRegistrar : public PluginRegistrar {
 public:
  void add(std::unique_ptr<ExportPlugin> plugin) override {
    if (plugin) collected.push_back(std::move(plugin));
  }
  std::vector<std::unique_ptr<ExportPlugin>> collected;
};

std::string option_type_name(OptionType t) {
  switch (t) {
    case OptionType::kString:
      return "string";
    case OptionType::kNumber:
      return "number";
    case OptionType::kBool:
      return "bool";
    case OptionType::kChoice:
      return "choice";
  }
  return "string";
}

// The names a 64-bit ELF shared library exports (its .dynsym), read from the file without
// loading it: dlopen() runs a library's initialisers before strata could look at anything, so a
// file that is not a strata plugin must be recognised from outside. (glibc's <elf.h> gives the
// layout; two symbol lookups do not warrant libelf.) Nothing when the file is not such a library.
std::optional<std::set<std::string>> exported_symbols(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto read = [&](std::size_t offset, auto& out) {
    if (offset > bytes.size() || bytes.size() - offset < sizeof out) return false;
    std::memcpy(&out, bytes.data() + offset, sizeof out);
    return true;
  };
  Elf64_Ehdr header{};
  if (!read(0, header) || std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 ||
      header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_type != ET_DYN ||
      header.e_shentsize != sizeof(Elf64_Shdr))
    return std::nullopt;
  std::vector<Elf64_Shdr> sections(header.e_shnum);
  for (std::size_t i = 0; i < sections.size(); ++i)
    if (!read(header.e_shoff + i * sizeof(Elf64_Shdr), sections[i])) return std::nullopt;
  std::set<std::string> names;
  for (const auto& s : sections) {
    if (s.sh_type != SHT_DYNSYM || s.sh_link >= sections.size() ||
        s.sh_entsize != sizeof(Elf64_Sym))
      continue;
    const Elf64_Shdr& strings = sections[s.sh_link];
    if (strings.sh_offset > bytes.size() || strings.sh_size > bytes.size() - strings.sh_offset)
      return std::nullopt;
    for (std::size_t k = 0; k < s.sh_size / sizeof(Elf64_Sym); ++k) {
      Elf64_Sym sym{};
      if (!read(s.sh_offset + k * sizeof(Elf64_Sym), sym)) return std::nullopt;
      if (sym.st_shndx == SHN_UNDEF || sym.st_name >= strings.sh_size) continue;
      const char* name = bytes.data() + strings.sh_offset + sym.st_name;
      names.insert(std::string(name, strnlen(name, strings.sh_size - sym.st_name)));
    }
  }
  return names;
}

// Plugins run with the user's rights: a library (or its folder) that another user can change
// could be replaced by anyone who can write it. Refused, as ssh refuses such keys.
std::optional<std::string> unsafe_permissions(const std::filesystem::path& library) {
  for (const auto& p : {library, library.parent_path().empty() ? std::filesystem::path(".")
                                                               : library.parent_path()}) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) return p.string() + " cannot be inspected";
    const bool sticky_folder = S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX);
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !sticky_folder)
      return p.string() + " is writable by other users";
    if (st.st_uid != 0 && st.st_uid != ::geteuid())
      return p.string() + " belongs to another user (uid " + std::to_string(st.st_uid) + ")";
  }
  return std::nullopt;
}

}  // namespace

void PluginRegistry::add(std::unique_ptr<ExportPlugin> plugin, const std::string& origin) {
  static const std::regex dotted("[a-z][a-z0-9_]*(\\.[a-z0-9][a-z0-9_]*)+");
  const std::string name = plugin->name();
  if (!std::regex_match(name, dotted))
    throw StrataError(ErrorCode::kPluginLoad,
                      origin + ": plugin name '" + name +
                          "' is not a dotted lower-case name such as writers.gpkg");
  for (const auto& e : entries_)
    if (e.plugin->name() == name)
      throw StrataError(ErrorCode::kPluginLoad,
                        origin + ": plugin '" + name + "' is already registered by " + e.origin);
  entries_.push_back({std::move(plugin), origin});
}

ExportPlugin* PluginRegistry::find(const std::string& name) const {
  for (const auto& e : entries_)
    if (e.plugin->name() == name) return e.plugin.get();
  return nullptr;
}

void PluginRegistry::load_directories(const std::vector<std::filesystem::path>& directories) {
  for (const auto& dir : directories) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
      failures_.push_back({dir.string(), "plugin directory does not exist"});
      continue;
    }
    std::vector<std::filesystem::path> libraries;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
      if (entry.path().extension() == ".so") libraries.push_back(entry.path());
    std::sort(libraries.begin(), libraries.end());
    for (const auto& library : libraries) load_library(library);
  }
}

void PluginRegistry::load_library(const std::filesystem::path& library) {
  const std::string path = library.string();
  auto fail = [&](const std::string& message) { failures_.push_back({path, message}); };
  // Checked from outside first, so that a file that is not a strata plugin never runs code.
  if (auto unsafe = unsafe_permissions(library))
    return fail("not loaded: " + *unsafe +
                "; strata loads only libraries that only you (or root) can change");
  const auto symbols = exported_symbols(path);
  if (!symbols) return fail("not loaded: not a 64-bit ELF shared library (nothing of it was run)");
  if (!symbols->count("strata_plugin_abi") || !symbols->count("strata_register_plugins"))
    return fail(
        "not loaded: not a strata plugin, nothing of it was run: it must export extern \"C\" "
        "strata_plugin_abi() and strata_register_plugins() (docs/plugins.md)");
  // RTLD_LOCAL: two plugins may define the same internal symbols. The handle stays open for
  // the life of the process: the plugins' code and vtables must outlive their objects. From
  // here on the library's initialisers have run: failures say so.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    return fail(std::string("not loaded: dlopen failed: ") + (why ? why : "unknown dlopen error"));
  }
  const std::string loaded = "loaded (its initialisers ran), then not used: ";
  auto abi = reinterpret_cast<StrataPluginAbiFn>(dlsym(handle, "strata_plugin_abi"));
  auto reg = reinterpret_cast<StrataRegisterPluginsFn>(dlsym(handle, "strata_register_plugins"));
  if (!abi || !reg)
    return fail(loaded +
                "its entry points strata_plugin_abi() and strata_register_plugins() "
                "could not be resolved");
  if (abi() != STRATA_PLUGIN_ABI)
    return fail(loaded + "it was built for plugin ABI " + std::to_string(abi()) +
                ", this strata has ABI " + std::to_string(STRATA_PLUGIN_ABI) +
                ": rebuild it against these headers");
  CollectingRegistrar registrar;
  try {
    reg(registrar);
  } catch (const std::exception& e) {
    return fail(loaded + "it threw while registering: " + e.what());
  } catch (...) {
    return fail(loaded + "it threw a non-standard exception while registering");
  }
  if (registrar.collected.empty()) return fail(loaded + "it registered no plugin");
  for (auto& plugin : registrar.collected) {
    try {
      add(std::move(plugin), path);
    } catch (const StrataError& e) {
      failures_.push_back({path, e.what()});
    }
  }
}

std::vector<std::filesystem::path> plugin_directories(
    const std::vector<std::filesystem::path>& extra) {
  std::vector<std::filesystem::path> dirs = extra;
  if (const char* env = std::getenv("STRATA_PLUGIN_PATH")) {
    std::stringstream in(env);
    std::string part;
    while (std::getline(in, part, ':'))
      if (!part.empty()) dirs.emplace_back(part);
  }
  return dirs;
}

PluginOptions resolve_options(const ExportPlugin& plugin,
                              const std::map<std::string, std::string>& given) {
  const auto specs = plugin.options();
  std::map<std::string, std::string> values;
  auto fail = [&](const std::string& what) {
    return StrataError(ErrorCode::kWrongInputParameters,
                       "export plugin " + plugin.name() + ": " + what);
  };
  for (const auto& [name, value] : given) {
    const OptionSpec* spec = nullptr;
    for (const auto& s : specs)
      if (s.name == name) spec = &s;
    if (!spec) {
      std::string known;
      for (const auto& s : specs) known += (known.empty() ? "" : ", ") + s.name;
      throw fail("unknown option '" + name + "' (options: " + (known.empty() ? "none" : known) +
                 ")");
    }
    switch (spec->type) {
      case OptionType::kNumber: {
        char* end = nullptr;
        std::strtod(value.c_str(), &end);
        if (value.empty() || *end != '\0')
          throw fail("option '" + name + "' must be a number, not '" + value + "'");
        break;
      }
      case OptionType::kBool:
        if (value != "true" && value != "false")
          throw fail("option '" + name + "' must be true or false, not '" + value + "'");
        break;
      case OptionType::kChoice:
        if (std::find(spec->choices.begin(), spec->choices.end(), value) == spec->choices.end()) {
          std::string list;
          for (const auto& c : spec->choices) list += (list.empty() ? "" : ", ") + c;
          throw fail("option '" + name + "' must be one of " + list + ", not '" + value + "'");
        }
        break;
      case OptionType::kString:
        break;
    }
    values[name] = value;
  }
  for (const auto& s : specs)
    if (!values.count(s.name) && !s.default_value.empty()) values[s.name] = s.default_value;
  return PluginOptions(std::move(values));
}

nlohmann::json options_schema_json(const ExportPlugin& plugin) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : plugin.options()) {
    nlohmann::json o = {
        {"name", s.name}, {"type", option_type_name(s.type)}, {"description", s.description}};
    if (!s.default_value.empty()) o["default"] = s.default_value;
    if (!s.choices.empty()) o["choices"] = s.choices;
    out.push_back(std::move(o));
  }
  return out;
}

ExportResult run_plugin(ExportPlugin& plugin, const ExportRequest& request) {
  try {
    return plugin.run(request);
  } catch (const std::exception& e) {
    throw StrataError(ErrorCode::kPluginFailed,
                      "export plugin " + plugin.name() + " failed: " + e.what());
  } catch (...) {
    throw StrataError(ErrorCode::kPluginFailed,
                      "export plugin " + plugin.name() + " failed with a non-standard exception");
  }
}

}  // namespace strata::plugins
