#include <openssl/evp.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>

#include "strata/io/layer_import.h"

namespace strata::io {
namespace {

// Incremental SHA-256 through OpenSSL's EVP interface, finished as lower-case hex.
class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr);
  }
  void update(const void* data, std::size_t size) { EVP_DigestUpdate(ctx_.get(), data, size); }
  std::string hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_.get(), digest, &len);
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
      out += digits[digest[i] >> 4];
      out += digits[digest[i] & 0xF];
    }
    return out;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

}  // namespace

std::string file_sha256(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in || std::filesystem::is_directory(path)) return {};
  Sha256 sha;
  char buf[1 << 16];
  while (in) {
    in.read(buf, sizeof buf);
    if (in.gcount() > 0) sha.update(buf, static_cast<std::size_t>(in.gcount()));
  }
  return sha.hex();
}

std::string dataset_sha256(std::vector<std::string> files) {
  if (files.size() == 1) return file_sha256(files.front());
  std::sort(files.begin(), files.end());
  Sha256 sha;
  for (const auto& f : files) {
    if (std::filesystem::is_directory(f)) continue;
    std::string line = std::filesystem::path(f).filename().string() + ":" + file_sha256(f) + "\n";
    sha.update(line.data(), line.size());
  }
  return sha.hex();
}

}  // namespace strata::io
