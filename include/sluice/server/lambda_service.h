// LambdaService: the part of Lambda's REST API that lets AWS's own tools run sluice's functions
// (`aws lambda invoke --endpoint-url ...`, boto3's lambda client), served on the engine's endpoint
// beside S3 and reached by requests signed for the "lambda" service:
//   POST /2015-03-31/functions/{FunctionName}/invocations   Invoke (RequestResponse, Event,
//                                                            DryRun; LogType Tail; ClientContext)
//   GET  /2015-03-31/functions/                              ListFunctions
//   GET  /2015-03-31/functions/{FunctionName}                GetFunction
//   GET  /2015-03-31/functions/{FunctionName}/configuration  GetFunctionConfiguration
// FunctionName is a name, an ARN or a partial ARN, with $LATEST as the only qualifier. Errors are
// Lambda's: the code in x-amzn-ErrorType, with its HTTP status.
//
// Thread-safe: connection threads share one.
#pragma once

#include <functional>
#include <string>

#include "sluice/common/aws_identity.h"
#include "sluice/common/clock.h"
#include "sluice/functions/function_pool.h"
#include "sluice/http/connection.h"
#include "sluice/s3/sigv4_verifier.h"
#include "sluice/store/database.h"

namespace sluice::server {

class LambdaService final : public http::RequestHandler {
 public:
  // `on_queued` is called after an Event invocation is queued (the engine's AsyncInvoker
  // wakes up).
  LambdaService(store::Database& db, functions::FunctionPool& pool, s3::SecretLookup secrets,
                AwsIdentity identity, const Clock& clock, std::function<void()> on_queued);

  http::HttpResponse Handle(http::HttpRequest& request, http::RequestBody& body) override;
  http::HttpResponse Reject(std::string_view aws_code, std::string message) override;

 private:
  struct Call;
  http::HttpResponse Route(Call& call);
  http::HttpResponse Invoke(Call& call, const std::string& name);
  http::HttpResponse Describe(Call& call, const std::string& name, bool configuration_only);
  http::HttpResponse List(Call& call);
  // A failed read of function `name`: 404 ResourceNotFoundException, else 500 ServiceException.
  http::HttpResponse FailureResponse(const Status& status, const std::string& name,
                                     const std::string& request_id) const;

  store::Database& db_;
  functions::FunctionPool& pool_;
  s3::SigV4Verifier verifier_;
  AwsIdentity identity_;
  const Clock& clock_;
  std::function<void()> on_queued_;
};

}  // namespace sluice::server
