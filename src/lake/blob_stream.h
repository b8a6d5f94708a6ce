// Streaming a request body into a new blob while computing its MD5 (the ETag).
//
// MD5 is the slowest step of a large put (about 0.8 GB/s on one core), so for bodies of more than
// one buffer the hashing (on the calling thread) and the writing (on a helper thread) overlap,
// and the helper asks the kernel to start writeback as it goes so that the final sync has little
// left to do. Small bodies take the plain path with no thread.
#pragma once

#include "lake/blob_files.h"
#include "sluice/common/md5.h"
#include "sluice/lake/object_store.h"

namespace sluice::lake {

// Reads `body` to its end into `blob`, feeding every byte to `md5`. On failure the blob holds an
// unspecified prefix of the body and must be abandoned.
Status StreamIntoBlob(ByteSource& body, PendingBlob& blob, Md5& md5);

}  // namespace sluice::lake
