// InputTransformer and InputPath: the examples of EventBridge's documentation (user guide
// "Amazon EventBridge input transformation", the input transformer tutorial, the InputTransformer
// API reference), behaviour recorded against AWS (empty text for a path that selects nothing,
// `detailType` in <aws.events.event>), and the corners: placeholder positions, arrays, wildcards,
// hostile values and every PutTargets validation error.
#include "sluice/bus/input_transformer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "sluice/common/time_format.h"

namespace sluice::bus {
namespace {

using nlohmann::json;

// The EC2 event of the user guide's examples, plus fields for the corner cases.
constexpr std::string_view kEvent = R"({
  "version": "0",
  "id": "7bf73129-1428-4cd3-a780-95db273d1602",
  "detail-type": "EC2 Instance State-change Notification",
  "source": "aws.ec2",
  "account": "123456789012",
  "time": "2015-11-11T21:29:54Z",
  "region": "us-east-1",
  "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111",
                "arn:aws:ec2:us-east-1:123456789012:volume/vol-1"],
  "detail": {
    "instance-id": "i-0123456789",
    "state": "RUNNING",
    "count": 42,
    "ratio": 0.5,
    "spot": true,
    "owner": null,
    "tags": {"team": "data", "env": "prod"},
    "items": [{"id": "a", "size": 1}, {"id": "b", "size": 2}, {"id": "c"}],
    "matrix": [[1, 2], [3, 4]],
    "empty": [],
    "snake_case": "s",
    "a/b": "slash",
    "quote": "he said \"hi\"",
    "backslash": "C:\\temp",
    "newline": "line1\nline2",
    "unicode": "caf\u00e9 \ud83d\ude00 \u65e5\u672c",
    "angle": "<state>"
  }
})";

TransformContext Context() {
  return {"example", "arn:aws:events:us-east-2:123456789012:rule/example",
          FromUnixMillis(1636675200000)};  // 2021-11-12T00:00:00Z
}

// The docs' Input Path, plus names for the corner cases.
std::map<std::string, std::string> DocsPaths() {
  return {{"timestamp", "$.time"},
          {"instance", "$.detail.instance-id"},
          {"state", "$.detail.state"},
          {"status", "$.detail.state"}};
}

Result<std::string> Transform(std::map<std::string, std::string> paths,
                              std::string input_template) {
  InputTransformer transformer{std::move(paths), std::move(input_template)};
  return ApplyInputTransformer(transformer, kEvent, Context());
}

std::string TransformOk(std::map<std::string, std::string> paths, std::string input_template) {
  Result<std::string> out = Transform(std::move(paths), std::move(input_template));
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? *out : std::string();
}

// One variable `v` bound to `path`, filled into `input_template`.
std::string With(std::string path, std::string input_template) {
  return TransformOk({{"v", std::move(path)}}, std::move(input_template));
}

// ---- The documentation's examples ----

TEST(InputTransformerDocsTest, SimpleString) {
  EXPECT_EQ(TransformOk(DocsPaths(), R"("instance <instance> is in <state>")"),
            R"("instance i-0123456789 is in RUNNING")");
}

TEST(InputTransformerDocsTest, StringWithEscapedQuotes) {
  EXPECT_EQ(TransformOk(DocsPaths(), R"("instance \"<instance>\" is in <state>")"),
            R"("instance \"i-0123456789\" is in RUNNING")");
}

TEST(InputTransformerDocsTest, SimpleJsonIsDeliveredMinified) {
  EXPECT_EQ(TransformOk(DocsPaths(), "{\n  \"instance\" : <instance>,\n  \"state\": <state>\n}"),
            R"({"instance":"i-0123456789","state":"RUNNING"})");
}

TEST(InputTransformerDocsTest, JsonWithStringsAndVariables) {
  EXPECT_EQ(TransformOk(DocsPaths(), R"({
 "instance" : <instance>,
 "state": "<state>",
 "instanceStatus": "instance \"<instance>\" is in <state>"
})"),
            R"({"instance":"i-0123456789","state":"RUNNING",)"
            R"("instanceStatus":"instance \"i-0123456789\" is in RUNNING"})");
}

TEST(InputTransformerDocsTest, JsonWithVariablesAndStaticInformation) {
  EXPECT_EQ(TransformOk(DocsPaths(), R"({
  "instance" : <instance>,
  "state": [ 9, <state>, true ],
  "Transformed" : "Yes"
})"),
            R"({"instance":"i-0123456789","state":[9,"RUNNING",true],"Transformed":"Yes"})");
}

TEST(InputTransformerDocsTest, ReservedVariablesInJson) {
  std::string out = TransformOk(DocsPaths(), R"({
  "instance" : <instance>,
  "state": <state>,
  "ruleArn" : <aws.events.rule-arn>,
  "ruleName" : <aws.events.rule-name>,
  "originalEvent" : <aws.events.event>
})");
  json parsed = json::parse(out);
  EXPECT_EQ(parsed["instance"], "i-0123456789");
  EXPECT_EQ(parsed["ruleArn"], "arn:aws:events:us-east-2:123456789012:rule/example");
  EXPECT_EQ(parsed["ruleName"], "example");
  EXPECT_EQ(parsed["originalEvent"]["id"], "7bf73129-1428-4cd3-a780-95db273d1602");
  EXPECT_EQ(parsed["originalEvent"]["source"], "aws.ec2");
}

TEST(InputTransformerDocsTest, ReservedVariableInString) {
  EXPECT_EQ(TransformOk({}, R"("<aws.events.rule-name> triggered")"), R"("example triggered")");
}

TEST(InputTransformerDocsTest, TutorialPlainTextIsDeliveredAsIs) {
  EXPECT_EQ(TransformOk(DocsPaths(), "The EC2 instance <instance> has changed state to <state>."),
            "The EC2 instance i-0123456789 has changed state to RUNNING.");
}

TEST(InputTransformerDocsTest, ApiReferenceExamples) {
  EXPECT_EQ(TransformOk(DocsPaths(), "<instance> is in state <status>"),
            "i-0123456789 is in state RUNNING");
  EXPECT_EQ(TransformOk(DocsPaths(), R"(<instance> is in state "<status>")"),
            R"(i-0123456789 is in state "RUNNING")");
  EXPECT_EQ(TransformOk(
                DocsPaths(),
                R"({"myInstance": <instance>,"myStatus": "<instance> is in state \"<status>\""})"),
            R"({"myInstance":"i-0123456789","myStatus":"i-0123456789 is in state \"RUNNING\""})");
}

// Recorded against AWS (LocalStack's validated snapshots): a string template whose text starts
// with JSON-looking characters is still just a string.
TEST(InputTransformerDocsTest, StringTemplateStartingWithBrackets) {
  EXPECT_EQ(TransformOk(DocsPaths(), R"("{[/Check with special starting characters for <state>")"),
            R"("{[/Check with special starting characters for RUNNING")");
}

// ---- Where a placeholder stands ----

TEST(InputTransformerPlaceholderTest, JsonValuesKeepTheirType) {
  std::string out =
      TransformOk({{"count", "$.detail.count"},
                   {"ratio", "$.detail.ratio"},
                   {"spot", "$.detail.spot"},
                   {"owner", "$.detail.owner"},
                   {"tags", "$.detail.tags"},
                   {"items", "$.detail.items"}},
                  R"({"c": <count>, "r": <ratio>, "s": <spot>, "o": <owner>, "t": <tags>,)"
                  R"( "i": <items>})");
  EXPECT_EQ(out, R"({"c":42,"r":0.5,"s":true,"o":null,"t":{"team":"data","env":"prod"},)"
                 R"("i":[{"id":"a","size":1},{"id":"b","size":2},{"id":"c"}]})");
}

TEST(InputTransformerPlaceholderTest, InsideStringsNonStringsAreTheirJsonText) {
  EXPECT_EQ(TransformOk({{"count", "$.detail.count"},
                         {"ratio", "$.detail.ratio"},
                         {"spot", "$.detail.spot"},
                         {"owner", "$.detail.owner"}},
                        R"({"m": "<count>/<ratio>/<spot>/<owner>"})"),
            R"({"m":"42/0.5/true/null"})");
}

TEST(InputTransformerPlaceholderTest, PlainTextGetsRawStringsAndJsonText) {
  EXPECT_EQ(TransformOk({{"state", "$.detail.state"},
                         {"count", "$.detail.count"},
                         {"tags", "$.detail.tags"},
                         {"matrix", "$.detail.matrix"}},
                        "state=<state> count=<count> tags=<tags> m=<matrix>"),
            R"(state=RUNNING count=42 tags={"team":"data","env":"prod"} m=[[1,2],[3,4]])");
}

TEST(InputTransformerPlaceholderTest, ObjectInsideStringBreaksTheJson) {
  Result<std::string> out = Transform({{"tags", "$.detail.tags"}}, R"({"m": "tags <tags>"})");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(out.status().message().find("not valid JSON"), std::string::npos);
}

TEST(InputTransformerPlaceholderTest, ArrayTemplateAndRepeatedPlaceholders) {
  EXPECT_EQ(TransformOk(DocsPaths(), R"([<state>, "<state>", <state>, "<state><state>"])"),
            R"(["RUNNING","RUNNING","RUNNING","RUNNINGRUNNING"])");
}

TEST(InputTransformerPlaceholderTest, LeadingBlanksBeforeJsonStillMakeJson) {
  EXPECT_EQ(TransformOk(DocsPaths(), "  \n {\"s\": <state>}  "), R"({"s":"RUNNING"})");
}

TEST(InputTransformerPlaceholderTest, PlainTextKeepsItsBlanks) {
  EXPECT_EQ(TransformOk(DocsPaths(), "  <state>\n\tdone  "), "  RUNNING\n\tdone  ");
}

TEST(InputTransformerPlaceholderTest, WhitespaceInsideJsonStringsIsKept) {
  EXPECT_EQ(TransformOk(DocsPaths(), R"({ "a b" : " <state>  x " })"), R"({"a b":" RUNNING  x "})");
}

TEST(InputTransformerPlaceholderTest, TemplateThatIsNotJsonAfterFillingFails) {
  Result<std::string> out = Transform(DocsPaths(), R"({"s": <state>)");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(out.status().message().find(R"({"s": "RUNNING")"), std::string::npos)
      << out.status().message();
}

TEST(InputTransformerPlaceholderTest, LiteralAngleBracketsStay) {
  EXPECT_EQ(TransformOk(DocsPaths(), "1 < 2 and <> and <a b> and <br/> and <state"),
            "1 < 2 and <> and <a b> and <br/> and <state");
  EXPECT_EQ(TransformOk(DocsPaths(), R"({"m": "1 < 2 <> <state"})"), R"({"m":"1 < 2 <> <state"})");
  EXPECT_EQ(TransformOk(DocsPaths(), "<<state>>"), "<RUNNING>");
}

// Refused by ValidateInputTransformer; if it gets here anyway it is left as written.
TEST(InputTransformerPlaceholderTest, UndefinedPlaceholderStaysLiteral) {
  EXPECT_EQ(TransformOk(DocsPaths(), "<state> <undefined> <aws.events.other>"),
            "RUNNING <undefined> <aws.events.other>");
}

TEST(InputTransformerPlaceholderTest, ValuesAreNotFilledInAgain) {
  EXPECT_EQ(With("$.detail.angle", "v=<v>"), "v=<state>");
}

// ---- Paths that select nothing: empty text, `""` as a JSON value (recorded against AWS) ----

TEST(InputTransformerMissingTest, InsideStringIsEmpty) {
  EXPECT_EQ(With("$.detail.notinmessage", R"("info <v>.")"), R"("info .")");
}

TEST(InputTransformerMissingTest, AsJsonValueIsEmptyString) {
  EXPECT_EQ(With("$.detail.notinmessage", R"({"command": <v>, "list": [<v>]})"),
            R"({"command":"","list":[""]})");
  EXPECT_EQ(With("$.nothing.here", "[<v>]"), R"([""])");
}

TEST(InputTransformerMissingTest, InPlainTextIsEmpty) {
  EXPECT_EQ(With("$.nothing.here", "x<v>x"), "xx");
}

TEST(InputTransformerMissingTest, StepsThroughScalarsAndWrongTypesSelectNothing) {
  EXPECT_EQ(With("$.detail.state.deeper", "x<v>x"), "xx");
  EXPECT_EQ(With("$.detail.tags[0]", "x<v>x"), "xx");
  EXPECT_EQ(With("$.detail.items.id", "x<v>x"), "xx");
  EXPECT_EQ(With("$.detail.owner.x", "x<v>x"), "xx");
}

// ---- Arrays, indices and wildcards ----

TEST(InputTransformerPathTest, ArrayIndices) {
  EXPECT_EQ(With("$.resources[0]", "<v>"),
            "arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111");
  EXPECT_EQ(With("$.resources[1]", R"({"r": <v>})"),
            R"({"r":"arn:aws:ec2:us-east-1:123456789012:volume/vol-1"})");
  EXPECT_EQ(With("$.resources[2]", "x<v>x"), "xx");
  EXPECT_EQ(With("$.detail.items[1].id", "<v>"), "b");
  EXPECT_EQ(With("$.detail.matrix[1][0]", "<v>"), "3");
  EXPECT_EQ(With("$.detail.items[2]", R"({"i": <v>})"), R"({"i":{"id":"c"}})");
}

TEST(InputTransformerPathTest, WildcardsSelectArrays) {
  EXPECT_EQ(With("$.detail.items[*].id", R"({"ids": <v>})"), R"({"ids":["a","b","c"]})");
  EXPECT_EQ(With("$.detail.items.*.size", R"({"s": <v>})"), R"({"s":[1,2]})");
  EXPECT_EQ(With("$.detail.tags.*", R"({"t": <v>})"), R"({"t":["data","prod"]})");
  EXPECT_EQ(With("$.detail.tags[*]", R"({"t": <v>})"), R"({"t":["data","prod"]})");
  EXPECT_EQ(With("$.detail.matrix[*][*]", R"({"m": <v>})"), R"({"m":[1,2,3,4]})");
  EXPECT_EQ(With("$.detail.matrix[*][1]", R"({"m": <v>})"), R"({"m":[2,4]})");
  EXPECT_EQ(With("$.resources[*]", "<v>"),
            R"(["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111",)"
            R"("arn:aws:ec2:us-east-1:123456789012:volume/vol-1"])");
}

TEST(InputTransformerPathTest, WildcardWithOneMatchIsStillAnArray) {
  EXPECT_EQ(With("$.detail.tags.*.x", "x<v>x"), "xx");
  EXPECT_EQ(With("$.detail.items[*].size", R"({"s": <v>})"), R"({"s":[1,2]})");
  EXPECT_EQ(With("$.detail.matrix[0][*]", R"({"s": <v>})"), R"({"s":[1,2]})");
  EXPECT_EQ(With("$.detail.items[2].*", R"({"s": <v>})"), R"({"s":["c"]})");
}

TEST(InputTransformerPathTest, WildcardSelectingNothingMakesNoVariable) {
  EXPECT_EQ(With("$.detail.empty[*]", R"({"s": <v>, "t": "<v>"})"), R"({"s":"","t":""})");
  EXPECT_EQ(With("$.detail.state.*", "x<v>x"), "xx");
}

TEST(InputTransformerPathTest, NamesWithDashesUnderscoresSlashes) {
  EXPECT_EQ(With("$.detail-type", "<v>"), "EC2 Instance State-change Notification");
  EXPECT_EQ(With("$.detail.snake_case", "<v>"), "s");
  EXPECT_EQ(With("$.detail.a/b", "<v>"), "slash");
}

TEST(InputTransformerPathTest, DollarIsTheWholeEvent) {
  json out = json::parse(With("$", R"({"e": <v>})"));
  EXPECT_EQ(out["e"], json::parse(kEvent));
}

TEST(InputTransformerPathTest, NestedObjectAsValueKeepsKeyOrder) {
  EXPECT_EQ(With("$.detail.tags", R"({"tags": <v>})"), R"({"tags":{"team":"data","env":"prod"}})");
}

// ---- Reserved variables ----

TEST(InputTransformerReservedTest, IngestionTimeIsIso8601) {
  EXPECT_EQ(TransformOk({}, "<aws.events.event.ingestion-time>"), "2021-11-12T00:00:00Z");
  EXPECT_EQ(TransformOk({}, R"({"t": <aws.events.event.ingestion-time>})"),
            R"({"t":"2021-11-12T00:00:00Z"})");
}

TEST(InputTransformerReservedTest, RuleArnAndNameInStringAndPlainText) {
  EXPECT_EQ(TransformOk({}, R"("Message <aws.events.rule-arn> <aws.events.rule-name>")"),
            R"("Message arn:aws:events:us-east-2:123456789012:rule/example example")");
  EXPECT_EQ(TransformOk({}, "<aws.events.rule-name>"), "example");
}

// As recorded against AWS: no `detail`, and `detail-type` delivered as `detailType`.
TEST(InputTransformerReservedTest, EventIsTheEventWithoutDetail) {
  json expected = json::parse(kEvent);
  expected.erase("detail");
  expected["detailType"] = expected["detail-type"];
  expected.erase("detail-type");
  json out = json::parse(TransformOk({}, R"({"originalEvent": <aws.events.event>})"));
  EXPECT_EQ(out["originalEvent"], expected);
}

TEST(InputTransformerReservedTest, EventJsonIsTheWholeEvent) {
  json out = json::parse(TransformOk(
      {},
      R"({"originalEvent": <aws.events.event>, "originalEventJson": <aws.events.event.json>})"));
  EXPECT_EQ(out["originalEventJson"], json::parse(kEvent));
  EXPECT_FALSE(out["originalEvent"].contains("detail"));
}

TEST(InputTransformerReservedTest, WholeEventAsArrayElement) {
  json out = json::parse(TransformOk({}, "[<aws.events.event.json>]"));
  EXPECT_EQ(out[0], json::parse(kEvent));
}

// ---- Hostile values ----

TEST(InputTransformerHostileTest, QuotesAsJsonValueAreEscaped) {
  std::string out = With("$.detail.quote", R"({"q": <v>})");
  EXPECT_EQ(out, R"({"q":"he said \"hi\""})");
  EXPECT_EQ(json::parse(out)["q"], "he said \"hi\"");
}

TEST(InputTransformerHostileTest, QuotesInsideStringAreNotEscapedAndFail) {
  Result<std::string> out = Transform({{"v", "$.detail.quote"}}, R"({"q": "<v>"})");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(out.status().message().find(R"({"q": "he said "hi""})"), std::string::npos)
      << out.status().message();
}

TEST(InputTransformerHostileTest, QuotesInPlainTextAreRaw) {
  EXPECT_EQ(With("$.detail.quote", "said: <v>"), R"(said: he said "hi")");
}

TEST(InputTransformerHostileTest, BackslashesAsJsonValueAreEscaped) {
  std::string out = With("$.detail.backslash", R"({"p": <v>})");
  EXPECT_EQ(out, R"({"p":"C:\\temp"})");
  EXPECT_EQ(json::parse(out)["p"], "C:\\temp");
}

// Unescaped, `\t` becomes a tab: valid JSON that says something else, as in EventBridge.
TEST(InputTransformerHostileTest, BackslashesInsideStringAreRaw) {
  std::string out = With("$.detail.backslash", R"({"p": "<v>"})");
  EXPECT_EQ(out, R"({"p":"C:\temp"})");
  EXPECT_EQ(json::parse(out)["p"], "C:\temp");
}

TEST(InputTransformerHostileTest, NewlineInsideStringFails) {
  EXPECT_FALSE(Transform({{"v", "$.detail.newline"}}, R"("<v>")").ok());
  EXPECT_EQ(With("$.detail.newline", R"({"n": <v>})"), R"({"n":"line1\nline2"})");
  EXPECT_EQ(With("$.detail.newline", "<v>"), "line1\nline2");
}

TEST(InputTransformerHostileTest, UnicodeArrivesAsUtf8) {
  const std::string text = "caf\xC3\xA9 \xF0\x9F\x98\x80 \xE6\x97\xA5\xE6\x9C\xAC";
  EXPECT_EQ(With("$.detail.unicode", "<v>"), text);
  EXPECT_EQ(With("$.detail.unicode", R"("<v>")"), "\"" + text + "\"");
  EXPECT_EQ(With("$.detail.unicode", R"({"u": <v>})"), R"({"u":")" + text + R"("})");
}

TEST(InputTransformerHostileTest, BadEvents) {
  InputTransformer transformer{DocsPaths(), "<state>"};
  Result<std::string> out = ApplyInputTransformer(transformer, "{not json", Context());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(ApplyInputTransformer(transformer, "[1, 2]", Context()).ok());
  EXPECT_FALSE(ApplyInputTransformer(transformer, "", Context()).ok());
}

TEST(InputTransformerHostileTest, MalformedPathIsAnError) {
  Result<std::string> out = Transform({{"v", "$..x"}}, "<v>");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
}

// ---- ValidateInputTransformer ----

// The error PutTargets would give, or "" when it accepts.
std::string ValidationError(std::map<std::string, std::string> paths, std::string input_template) {
  Status status = ValidateInputTransformer({std::move(paths), std::move(input_template)});
  if (status.ok()) return "";
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.aws_code(), "ValidationException");
  return status.message();
}

// Expects the transformer refused, with a message holding every one of `parts`.
void ExpectRefused(std::map<std::string, std::string> paths, std::string input_template,
                   std::initializer_list<std::string_view> parts) {
  std::string error = ValidationError(std::move(paths), input_template);
  ASSERT_FALSE(error.empty()) << "accepted: " << input_template;
  for (std::string_view part : parts) {
    EXPECT_NE(error.find(part), std::string::npos) << error << " lacks " << part;
  }
}

TEST(InputTransformerValidationTest, DocsExamplesAreAccepted) {
  EXPECT_EQ(ValidationError(DocsPaths(), R"("instance <instance> is in <state>")"), "");
  EXPECT_EQ(ValidationError(DocsPaths(), R"({"instance": <instance>, "state": [9, <state>]})"), "");
  EXPECT_EQ(ValidationError({}, R"({"e": <aws.events.event>, "j": <aws.events.event.json>,)"
                                R"( "a": "<aws.events.rule-arn> <aws.events.rule-name>",)"
                                R"( "t": <aws.events.event.ingestion-time>})"),
            "");
  EXPECT_EQ(ValidationError({}, "no placeholders at all"), "");
  EXPECT_EQ(ValidationError(DocsPaths(), "1 < 2, <br/>, <a b>"), "");
}

TEST(InputTransformerValidationTest, AtMostOneHundredPaths) {
  std::map<std::string, std::string> paths;
  for (int i = 0; i < 100; ++i)
    paths["v" + std::to_string(i)] = "$.detail";
  EXPECT_EQ(ValidationError(paths, "x"), "");
  paths["v100"] = "$.detail";
  ExpectRefused(paths, "x", {"InputPathsMap", "101", "100"});
}

TEST(InputTransformerValidationTest, NameLength) {
  EXPECT_EQ(ValidationError({{std::string(256, 'n'), "$.detail"}}, "x"), "");
  ExpectRefused({{std::string(257, 'n'), "$.detail"}}, "x", {"InputPathsMap key", "256"});
  ExpectRefused({{"", "$.detail"}}, "x", {"InputPathsMap key \"\"", "1 to 256"});
}

TEST(InputTransformerValidationTest, NameCharacters) {
  EXPECT_EQ(ValidationError({{"Az09_-", "$.detail"}}, "<Az09_->"), "");
  ExpectRefused({{"has space", "$.detail"}}, "x", {"\"has space\"", "letters, digits"});
  ExpectRefused({{"dot.ted", "$.detail"}}, "x", {"\"dot.ted\""});
  ExpectRefused({{"caf\xC3\xA9", "$.detail"}}, "x", {"InputPathsMap key"});
  ExpectRefused({{"a<b", "$.detail"}}, "x", {"\"a<b\""});
}

TEST(InputTransformerValidationTest, NamesMustNotStartWithAwsDot) {
  ExpectRefused({{"AWS.mine", "$.detail"}}, "x", {"\"AWS.mine\"", "AWS."});
  ExpectRefused({{"aws.mine", "$.detail"}}, "x", {"\"aws.mine\"", "AWS."});
  EXPECT_EQ(ValidationError({{"AWS-mine", "$.detail"}}, "x"), "");
  EXPECT_EQ(ValidationError({{"AWSmine", "$.detail"}}, "x"), "");
}

TEST(InputTransformerValidationTest, ReservedNamesCannotBeRedefined) {
  for (const char* name : {"aws.events.rule-arn", "aws.events.rule-name", "aws.events.event",
                           "aws.events.event.ingestion-time", "aws.events.event.json"}) {
    ExpectRefused({{name, "$.detail"}}, "x", {name, "reserved"});
  }
}

TEST(InputTransformerValidationTest, AcceptedPaths) {
  for (const char* path : {"$", "$.detail", "$.detail.instance-id", "$.detail-type",
                           "$.resources[0]", "$.detail.items[12].id", "$.detail.items[*].id",
                           "$.detail.*", "$.a.*.b", "$.a/b.c_d", "$.detail.matrix[1][0]", "$.0"}) {
    EXPECT_EQ(ValidationError({{"v", path}}, "<v>"), "") << path;
    EXPECT_TRUE(ValidateInputPath(path).ok()) << path;
  }
}

TEST(InputTransformerValidationTest, RefusedPaths) {
  for (const char* path :
       {"", "detail", "$detail", "$.", "$.detail.", "$..detail", "$['detail']",
        "$.detail[\"state\"]", "$.resources[-1]", "$.resources[0:2]", "$.resources[?(@.a)]",
        "$.resources[", "$.resources[0", "$.resources[]", "$.a b", "$.a:b", "$.*x",
        "$.resources[99999999999999999999999]", "$.caf\xC3\xA9"}) {
    ExpectRefused({{"v", path}}, "<v>", {"InputPathsMap value for \"v\"", "JSONPath"});
    Status status = ValidateInputPath(path);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << path;
    EXPECT_EQ(status.aws_code(), "ValidationException") << path;
  }
}

TEST(InputTransformerValidationTest, BracketNotationIsNamed) {
  ExpectRefused({{"v", "$['detail']"}}, "<v>", {"bracket notation", "dot notation"});
}

TEST(InputTransformerValidationTest, PathLength) {
  std::string path = "$." + std::string(254, 'p');
  EXPECT_EQ(ValidationError({{"v", path}}, "<v>"), "");
  ExpectRefused({{"v", path + "p"}}, "<v>", {"256"});
  EXPECT_FALSE(ValidateInputPath(path + "p").ok());
}

TEST(InputTransformerValidationTest, TemplateLength) {
  EXPECT_EQ(ValidationError({}, std::string(8192, 't')), "");
  ExpectRefused({}, std::string(8193, 't'), {"InputTemplate", "8192", "8193"});
  ExpectRefused({}, "", {"InputTemplate", "1 to 8192"});
  // Characters, not bytes: 8192 two-byte characters are allowed.
  std::string accents;
  for (int i = 0; i < 8192; ++i)
    accents += "\xC3\xA9";
  EXPECT_EQ(ValidationError({}, accents), "");
}

// As AWS answers PutTargets: "InputTemplate ... contains invalid placeholder notdefinedkey."
TEST(InputTransformerValidationTest, UndefinedPlaceholder) {
  ExpectRefused(DocsPaths(), R"("Event of <state> type, with not defined key <notdefinedkey>")",
                {"invalid placeholder <notdefinedkey>"});
  ExpectRefused(DocsPaths(), "<aws.events.rule>", {"invalid placeholder <aws.events.rule>"});
  ExpectRefused({}, R"({"a": <state>})", {"<state>"});
}

TEST(InputTransformerValidationTest, PlaceholderAsObjectKey) {
  ExpectRefused(DocsPaths(), R"({<state>: 1})", {"<state>", "object key"});
  ExpectRefused(DocsPaths(), R"({"<state>": 1})", {"<state>", "object key"});
  ExpectRefused(DocsPaths(), R"({"a": 1, "key-<state>": 2})", {"<state>", "object key"});
  ExpectRefused(DocsPaths(), R"({"a": {"b": [{"c": 1, <state>: 2}]}})", {"object key"});
  ExpectRefused({}, R"({<aws.events.rule-name>: 1})", {"object key"});
  EXPECT_EQ(ValidationError(DocsPaths(), R"({"a": {"b": [{"c": "<state>"}, <state>]}, "d": 1})"),
            "");
  EXPECT_EQ(ValidationError(DocsPaths(), R"({"a\"<b": "<state>", "c": "{\"<state>\": 1}"})"), "");
}

TEST(InputTransformerValidationTest, WholeEventOnlyAsJsonValue) {
  ExpectRefused({}, R"({"e": "<aws.events.event>"})", {"<aws.events.event>", "inside a string"});
  ExpectRefused({}, R"({"e": "x <aws.events.event.json>"})",
                {"<aws.events.event.json>", "inside a string"});
  ExpectRefused({}, R"("<aws.events.event.json>")", {"inside a string"});
  ExpectRefused({}, "event: <aws.events.event>", {"<aws.events.event>", "plain-text"});
  ExpectRefused({}, "<aws.events.event.json>", {"plain-text"});
  EXPECT_EQ(ValidationError({}, "[<aws.events.event>, {\"j\": <aws.events.event.json>}]"), "");
}

// ---- ApplyInputPath ----

TEST(InputTransformerInputPathTest, SelectsJsonText) {
  EXPECT_EQ(*ApplyInputPath("$.detail.state", kEvent), R"("RUNNING")");
  EXPECT_EQ(*ApplyInputPath("$.detail.count", kEvent), "42");
  EXPECT_EQ(*ApplyInputPath("$.detail.owner", kEvent), "null");
  EXPECT_EQ(*ApplyInputPath("$.detail.tags", kEvent), R"({"team":"data","env":"prod"})");
  EXPECT_EQ(*ApplyInputPath("$.resources[1]", kEvent),
            R"("arn:aws:ec2:us-east-1:123456789012:volume/vol-1")");
  EXPECT_EQ(*ApplyInputPath("$.detail.items[*].id", kEvent), R"(["a","b","c"])");
  EXPECT_EQ(*ApplyInputPath("$.detail.quote", kEvent), R"("he said \"hi\"")");
  EXPECT_EQ(json::parse(*ApplyInputPath("$", kEvent)), json::parse(kEvent));
  EXPECT_EQ(json::parse(*ApplyInputPath("$.detail", kEvent)), json::parse(kEvent)["detail"]);
}

TEST(InputTransformerInputPathTest, SelectingNothingIsNotFound) {
  Result<std::string> out = ApplyInputPath("$.detail.missing", kEvent);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kNotFound);
  EXPECT_NE(out.status().message().find("$.detail.missing"), std::string::npos);
  EXPECT_EQ(ApplyInputPath("$.detail.empty[*]", kEvent).status().code(), StatusCode::kNotFound);
}

TEST(InputTransformerInputPathTest, Errors) {
  Result<std::string> bad_path = ApplyInputPath("$['detail']", kEvent);
  ASSERT_FALSE(bad_path.ok());
  EXPECT_EQ(bad_path.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad_path.status().message().find("InputPath"), std::string::npos);
  EXPECT_EQ(ApplyInputPath("$.detail", "{").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sluice::bus
