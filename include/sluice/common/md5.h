// Incremental MD5, for S3 ETags. Not thread-safe; one instance per stream.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace sluice {

class Md5 {
 public:
  Md5();
  ~Md5();
  Md5(const Md5&) = delete;
  Md5& operator=(const Md5&) = delete;

  void Update(const void* data, size_t size);
  void Update(std::string_view data) { Update(data.data(), data.size()); }
  // The 16-byte digest. The object must not be updated afterwards.
  std::string FinishBinary();
  // The digest as 32 lower-case hex characters.
  std::string FinishHex();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

}  // namespace sluice
