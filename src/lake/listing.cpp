#include "lake/listing.h"

#include <algorithm>
#include <optional>
#include <string>

namespace sluice::lake {
namespace {

// Valid UTF-8 never contains the byte 0xFF, so `p + "\xFF"` sorts after every key that starts
// with `p` and before every greater key that does not: the exclusive end of p's key range.
std::string EndOfRange(std::string_view prefix) {
  return std::string(prefix) + '\xff';
}

constexpr int kBatchRows = 256;

// Walks keys in order, rolling them up into entries, until the page is full and one more entry
// proves it is truncated (or the keys run out).
class PageBuilder {
 public:
  PageBuilder(std::string_view bucket, const ListRequest& request)
      : bucket_(bucket), request_(request), max_entries_(std::max(request.max_keys, 0)) {}

  Result<ListPage> Build(store::Transaction& tx) {
    // Scan keys > `after` within the prefix's range; `after` jumps past whole common prefixes.
    std::string after = std::max(request_.start_after, request_.prefix);
    bool inclusive = request_.start_after < request_.prefix;  // the prefix itself may be a key
    const std::string end = EndOfRange(request_.prefix);
    while (!done_) {
      std::optional<std::string> jump_to;
      SLUICE_ASSIGN_OR_RETURN(
          store::Cursor rows,
          tx.Query(inclusive ? "SELECT key, size, etag, last_modified_ms FROM objects "
                               "WHERE bucket = ? AND key >= ? AND key < ? ORDER BY key LIMIT ?"
                             : "SELECT key, size, etag, last_modified_ms FROM objects "
                               "WHERE bucket = ? AND key > ? AND key < ? ORDER BY key LIMIT ?",
                   bucket_, store::Blob{after}, store::Blob{end}, kBatchRows));
      int seen = 0;
      while (!done_ && !jump_to) {
        SLUICE_ASSIGN_OR_RETURN(bool more, rows.Next());
        if (!more) break;
        ++seen;
        std::string key(rows.Bytes(0));
        after = key;
        inclusive = false;
        std::optional<std::string> common_prefix = CommonPrefixOf(key);
        if (common_prefix) {
          // Every other key under this prefix rolls up into the same entry: skip them all.
          jump_to = EndOfRange(*common_prefix);
          if (*common_prefix > request_.start_after) AddCommonPrefix(*common_prefix);
          continue;
        }
        ObjectInfo info;
        info.bucket = bucket_;
        info.key = std::move(key);
        info.size = static_cast<uint64_t>(rows.Int(1));
        info.etag = rows.Text(2);
        info.last_modified = FromUnixMillis(rows.Int(3));
        AddObject(std::move(info));
      }
      if (jump_to) {
        after = *jump_to;
      } else if (seen < kBatchRows) {
        break;  // no more keys
      }
    }
    if (!page_.truncated) page_.next_marker.clear();
    return std::move(page_);
  }

 private:
  std::optional<std::string> CommonPrefixOf(std::string_view key) const {
    if (request_.delimiter.empty()) return std::nullopt;
    size_t at = key.find(request_.delimiter, request_.prefix.size());
    if (at == std::string_view::npos) return std::nullopt;
    return std::string(key.substr(0, at + request_.delimiter.size()));
  }

  // Returns false once the page is full: the entry offered then only proves truncation.
  bool Admit() {
    if (entries_ < max_entries_) {
      ++entries_;
      return true;
    }
    page_.truncated = max_entries_ > 0;
    done_ = true;
    return false;
  }

  void AddObject(ObjectInfo info) {
    if (!Admit()) return;
    page_.next_marker = info.key;
    page_.objects.push_back(std::move(info));
  }

  void AddCommonPrefix(const std::string& prefix) {
    if (!Admit()) return;
    page_.next_marker = prefix;
    page_.common_prefixes.push_back(prefix);
  }

  std::string bucket_;
  const ListRequest& request_;
  const int max_entries_;
  int entries_ = 0;
  bool done_ = false;
  ListPage page_;
};

}  // namespace

Result<ListPage> ListKeys(store::Transaction& tx, std::string_view bucket,
                          const ListRequest& request) {
  return PageBuilder(bucket, request).Build(tx);
}

}  // namespace sluice::lake
