// InputTransformer: how a target's input is made from an event, as EventBridge's target
// InputTransformer and InputPath make it.
//
// An InputTransformer names values of the event with JSONPaths (InputPathsMap) and fills them into
// an InputTemplate at `<name>` placeholders. A template whose first non-blank character is `{`,
// `[` or `"` is JSON: a placeholder standing as a value inserts the value's JSON text, one inside a
// string inserts a string's raw text (unescaped, as EventBridge does, so a value holding a quote
// breaks the JSON and the invocation fails) and other values' JSON text; the result must parse
// and is delivered minified. Any other template is plain text, delivered as it is, with strings'
// raw text filled in. A path that selects nothing makes no variable: its placeholders become
// empty text, or `""` where they stand as a JSON value.
//
// JSONPaths: `$` then any of `.name` (letters, digits, `-`, `_`, `/`), `[index]`, `.*`, `[*]`;
// EventBridge wants dot notation, so `['name']` is refused. A path with a wildcard selects a JSON
// array of everything it reaches (an empty selection is no selection).
//
// Reserved placeholders: <aws.events.rule-arn>, <aws.events.rule-name>,
// <aws.events.event.ingestion-time> (2021-11-12T00:00:00Z), <aws.events.event> (the event without
// `detail`, its `detail-type` spelled `detailType` as EventBridge delivers it) and
// <aws.events.event.json> (the whole event); the last two only as JSON values.
//
// Pure functions of their arguments; any thread may call them.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "sluice/common/clock.h"
#include "sluice/common/result.h"

namespace sluice::bus {

struct InputTransformer {
  std::map<std::string, std::string> input_paths;  // InputPathsMap: name -> JSONPath
  std::string input_template;                      // InputTemplate
};

// What the reserved placeholders stand for.
struct TransformContext {
  std::string rule_name;
  std::string rule_arn;      // arn:aws:events:<region>:<account>:rule/<name>
  TimePoint ingestion_time;  // when EventBridge received the event
};

// What PutTargets checks: at most 100 paths; names 1-256 characters of [A-Za-z0-9_-], not
// starting "AWS." and not a reserved name; paths at most 256 characters of the syntax above; a
// template of 1-8192 characters whose `<name>` placeholders are all defined or reserved, none an
// object key, and <aws.events.event>/<aws.events.event.json> only as JSON values. Errors are
// InvalidArgument with aws_code "ValidationException" and name the offending entry.
Status ValidateInputTransformer(const InputTransformer& transformer);

// The input a target receives for `event_json` (a whole EventBridge event, a JSON object).
// InvalidArgument when the event is not JSON, a path is malformed, or a JSON template does not
// make valid JSON. A well-formed `<name>` that is neither defined nor reserved (refused by
// ValidateInputTransformer) stays literal, as does any `<` that does not start a placeholder.
Result<std::string> ApplyInputTransformer(const InputTransformer& transformer,
                                          std::string_view event_json,
                                          const TransformContext& context);

// What PutTargets checks of an InputPath: at most 256 characters of the syntax above.
Status ValidateInputPath(std::string_view input_path);

// The InputPath form: the part of the event `input_path` selects, as minified JSON text (a
// selected string arrives quoted). NotFound when the path selects nothing.
Result<std::string> ApplyInputPath(std::string_view input_path, std::string_view event_json);

}  // namespace sluice::bus
