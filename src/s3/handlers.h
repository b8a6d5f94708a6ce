// The S3 operations, one handler each (bucket_handlers.cpp, list_handlers.cpp,
// object_handlers.cpp, copy_handler.cpp, delete_objects_handler.cpp, multipart_handlers.cpp).
// A handler returns its response or the error to answer with (an S3 error code in the Status).
#pragma once

#include "s3/s3_call.h"

namespace sluice::s3 {

using HandlerResult = Result<http::HttpResponse>;

HandlerResult ListBuckets(S3Call& call);
HandlerResult CreateBucket(S3Call& call);
HandlerResult HeadBucket(S3Call& call);
HandlerResult DeleteBucket(S3Call& call);
HandlerResult GetBucketLocation(S3Call& call);

HandlerResult ListObjectsV2(S3Call& call);
HandlerResult ListObjectsV1(S3Call& call);

HandlerResult PutObject(S3Call& call);
HandlerResult GetObject(S3Call& call);
HandlerResult HeadObject(S3Call& call);
HandlerResult DeleteObject(S3Call& call);
HandlerResult CopyObject(S3Call& call);
HandlerResult DeleteObjects(S3Call& call);

HandlerResult CreateMultipartUpload(S3Call& call);
HandlerResult UploadPart(S3Call& call);
HandlerResult UploadPartCopy(S3Call& call);
HandlerResult CompleteMultipartUpload(S3Call& call);
HandlerResult AbortMultipartUpload(S3Call& call);
HandlerResult ListParts(S3Call& call);
HandlerResult ListMultipartUploads(S3Call& call);

}  // namespace sluice::s3
