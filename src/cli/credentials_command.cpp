// `sluice credentials`: the access keys S3 clients sign with (<data-dir>/credentials.json, made
// with one generated key on first use).
//
//   sluice credentials [--env]        the first key; --env as lines a shell can source
//   sluice credentials ls             every key id (not the secrets) and when it was added
//   sluice credentials add [--access-key-id ID --secret-access-key SECRET]
//   sluice credentials rm ID
#include <cstdio>

#include "cli/command.h"
#include "sluice/common/time_format.h"
#include "sluice/s3/credentials.h"

namespace sluice::cli {
namespace {

struct CredentialsArgs {
  bool env = false;
  std::string access_key_id;
  std::string secret_access_key;
  std::string remove_id;
};

Result<s3::CredentialStore> OpenStore(DataDir& dir) {
  return s3::CredentialStore::Open(dir.path() / "credentials.json");
}

void PrintKey(const s3::AccessKey& key, bool env) {
  if (env) {
    std::printf("AWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\n", key.id.c_str(),
                key.secret.c_str());
  } else {
    std::printf("AccessKeyId      %s\nSecretAccessKey  %s\n", key.id.c_str(), key.secret.c_str());
  }
}

Status Show(DataDir& dir, const CredentialsArgs& args) {
  SLUICE_ASSIGN_OR_RETURN(s3::CredentialStore store, OpenStore(dir));
  PrintKey(store.keys().front(), args.env);
  return Status::Ok();
}

Status List(DataDir& dir, const CredentialsArgs&) {
  SLUICE_ASSIGN_OR_RETURN(s3::CredentialStore store, OpenStore(dir));
  for (const s3::AccessKey& key : store.keys()) {
    std::printf("%s  %s\n", FormatRfc3339Seconds(key.created).c_str(), key.id.c_str());
  }
  return Status::Ok();
}

Status Add(DataDir& dir, const CredentialsArgs& args) {
  if (args.access_key_id.empty() != args.secret_access_key.empty()) {
    return UsageError("give both --access-key-id and --secret-access-key, or neither");
  }
  SLUICE_ASSIGN_OR_RETURN(s3::CredentialStore store, OpenStore(dir));
  std::optional<s3::AccessKey> given;
  if (!args.access_key_id.empty()) {
    given = s3::AccessKey{args.access_key_id, args.secret_access_key, {}};
  }
  SLUICE_ASSIGN_OR_RETURN(s3::AccessKey added, store.Add(given));
  PrintKey(added, args.env);
  return Status::Ok();
}

Status Remove(DataDir& dir, const CredentialsArgs& args) {
  SLUICE_ASSIGN_OR_RETURN(s3::CredentialStore store, OpenStore(dir));
  SLUICE_RETURN_IF_ERROR(store.Remove(args.remove_id));
  std::printf("removed %s\n", args.remove_id.c_str());
  return Status::Ok();
}

}  // namespace

void RegisterCredentialsCommand(CLI::App& app, Command& command) {
  static CredentialsArgs args;
  auto* credentials = app.add_subcommand(
      "credentials", "The access keys S3 clients sign with (the first one, or ls/add/rm)");
  credentials->add_flag("--env", args.env,
                        "Print AWS_ACCESS_KEY_ID=... and AWS_SECRET_ACCESS_KEY=... lines");
  credentials->require_subcommand(0, 1);
  // CLI11 runs this callback after a chosen subcommand's: only without one is it `show`.
  credentials->callback([credentials, &command] {
    if (credentials->get_subcommands().empty()) {
      command.run = [](DataDir& dir) { return Show(dir, args); };
    }
  });

  auto* ls = credentials->add_subcommand("ls", "List the access key ids");
  OnChosen(ls, command, args, &List);
  auto* add = credentials->add_subcommand("add", "Add an access key (generated unless given)");
  add->add_option("--access-key-id", args.access_key_id, "The key id to add");
  add->add_option("--secret-access-key", args.secret_access_key, "Its secret");
  add->add_flag("--env", args.env, "Print the added key as AWS_... lines");
  OnChosen(add, command, args, &Add);
  auto* rm = credentials->add_subcommand("rm", "Remove an access key (not the last one)");
  rm->add_option("id", args.remove_id, "The access key id")->required();
  OnChosen(rm, command, args, &Remove);
}

}  // namespace sluice::cli
