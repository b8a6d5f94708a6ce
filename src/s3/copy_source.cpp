#include "s3/copy_source.h"

#include "s3/object_headers.h"
#include "s3/uri_encoding.h"
#include "sluice/s3/s3_error.h"

namespace sluice::s3 {

Result<CopySource> ParseCopySource(std::string_view header) {
  std::string_view text = header;
  if (size_t question = text.find('?'); question != std::string_view::npos) {
    Query query = Query::Parse(text.substr(question + 1));
    if (query.Has("versionId") && query.Get("versionId") != "null") {
      return S3Refusal("NoSuchVersion", "The specified version does not exist.");
    }
    text = text.substr(0, question);
  }
  std::string decoded = PercentDecode(text);
  std::string_view path = decoded;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  size_t slash = path.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == path.size()) {
    return S3Refusal("InvalidArgument",
                     "Copy Source must mention the source bucket and key: sourcebucket/sourcekey");
  }
  return CopySource{std::string(path.substr(0, slash)), std::string(path.substr(slash + 1))};
}

Result<CopySource> ReadCopySource(const S3Call& call, lake::ObjectInfo& source_info) {
  SLUICE_ASSIGN_OR_RETURN(CopySource source,
                          ParseCopySource(call.http.HeaderValue("x-amz-copy-source").value_or("")));
  SLUICE_ASSIGN_OR_RETURN(source_info, call.lake.HeadObject(source.bucket, source.key));
  if (EvaluateReadConditions(call.http, source_info, "x-amz-copy-source-") !=
      ReadCondition::kProceed) {
    return S3Refusal("PreconditionFailed",
                     "At least one of the pre-conditions you specified did not hold");
  }
  return source;
}

}  // namespace sluice::s3
