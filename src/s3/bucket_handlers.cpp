// ListBuckets, CreateBucket, HeadBucket, DeleteBucket and GetBucketLocation.
#include <pugixml.hpp>

#include "s3/handlers.h"
#include "s3/payload.h"
#include "sluice/common/time_format.h"
#include "sluice/s3/s3_error.h"
#include "sluice/s3/xml_writer.h"

namespace sluice::s3 {
namespace {

constexpr size_t kMaxConfigurationBytes = 64 * 1024;

// us-east-1 is the region S3 spells as no location constraint at all.
std::string LocationConstraintOf(const std::string& region) {
  return region == "us-east-1" ? "" : region;
}

// The LocationConstraint of a CreateBucketConfiguration, "" when the body is empty.
Result<std::string> ReadLocationConstraint(S3Call& call) {
  SLUICE_ASSIGN_OR_RETURN(
      std::string body, ReadSmallPayload(call.http, call.auth, call.body, kMaxConfigurationBytes));
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return std::string();
  pugi::xml_document document;
  if (!document.load_buffer(body.data(), body.size())) {
    return S3Refusal("MalformedXML", "The CreateBucketConfiguration is not well-formed XML");
  }
  pugi::xml_node root = document.child("CreateBucketConfiguration");
  if (!root) {
    return S3Refusal("MalformedXML", "The body is not a CreateBucketConfiguration");
  }
  return std::string(root.child("LocationConstraint").text().as_string());
}

}  // namespace

HandlerResult ListBuckets(S3Call& call) {
  SLUICE_ASSIGN_OR_RETURN(std::vector<lake::BucketInfo> buckets, call.lake.ListBuckets());
  XmlWriter xml;
  xml.Open("ListAllMyBucketsResult", kS3Namespace)
      .Open("Owner")
      .Element("ID", call.options.identity.account_id)
      .Element("DisplayName", "sluice")
      .Close()
      .Open("Buckets");
  for (const lake::BucketInfo& bucket : buckets) {
    xml.Open("Bucket")
        .Element("Name", bucket.name)
        .Element("CreationDate", FormatIso8601Millis(bucket.created))
        .Close();
  }
  xml.Close().Close();
  return XmlResponse(xml.str());
}

HandlerResult CreateBucket(S3Call& call) {
  SLUICE_ASSIGN_OR_RETURN(std::string constraint, ReadLocationConstraint(call));
  std::string expected = LocationConstraintOf(call.options.region);
  if (constraint != expected && !(constraint == "us-east-1" && expected.empty())) {
    return S3Refusal("IllegalLocationConstraintException",
                     "The " + (constraint.empty() ? std::string("unspecified") : constraint) +
                         " location constraint is incompatible with this endpoint's region, " +
                         call.options.region);
  }
  SLUICE_RETURN_IF_ERROR(call.lake.CreateBucket(call.bucket()));
  http::HttpResponse response = EmptyResponse(200);
  response.AddHeader("Location", "/" + call.bucket());
  return response;
}

HandlerResult HeadBucket(S3Call& call) {
  SLUICE_RETURN_IF_ERROR(call.lake.HeadBucket(call.bucket()).status());
  http::HttpResponse response = EmptyResponse(200);
  response.AddHeader("x-amz-bucket-region", call.options.region);
  return response;
}

HandlerResult DeleteBucket(S3Call& call) {
  SLUICE_RETURN_IF_ERROR(call.lake.DeleteBucket(call.bucket()));
  return EmptyResponse(204);
}

HandlerResult GetBucketLocation(S3Call& call) {
  SLUICE_RETURN_IF_ERROR(call.lake.HeadBucket(call.bucket()).status());
  XmlWriter xml;
  // Empty for us-east-1, as S3 answers.
  xml.Open("LocationConstraint", kS3Namespace).Text(LocationConstraintOf(call.options.region));
  return XmlResponse(xml.Close().str());
}

}  // namespace sluice::s3
