// Command scopekeeper manages the resource servers, OAuth scopes and
// app-client grants of an Amazon Cognito user pool, from a desired-state file
// or one change at a time, without losing any.
//
// Install:
//
//	go install github.com/scopekeeper/scopekeeper/cmd/scopekeeper@latest
//
// Usage:
//
//	scopekeeper validate -f FILE
//	scopekeeper plan -f FILE [--prune] [--detailed-exitcode] [--allow-dangling] [--allow-regrant] [--out PLANFILE]
//	scopekeeper apply -f FILE [--prune] [--auto-approve] [--allow-dangling] [--allow-regrant] [--continue-on-error]
//	scopekeeper apply PLANFILE [--allow-dangling] [--allow-regrant] [--continue-on-error]
//	scopekeeper export [--app-clients=false] [--portable]
//	scopekeeper audit [--detailed-exitcode] [--near PERCENT] [--server-quota N]
//	scopekeeper list | get IDENTIFIER
//	scopekeeper add-scope IDENTIFIER NAME DESCRIPTION [--allow-regrant | --cascade]
//	scopekeeper remove-scope IDENTIFIER NAME... [--cascade | --allow-dangling]
//	scopekeeper rename IDENTIFIER NAME
//	scopekeeper grant [--by-name] CLIENT SCOPE... | revoke [--by-name] CLIENT SCOPE...
//	scopekeeper who-allows SCOPE
//	scopekeeper completion bash|zsh|fish
//	scopekeeper --version
//
// Global flags: --pool (SCOPEKEEPER_POOL_ID), --region (SCOPEKEEPER_REGION),
// --profile (SCOPEKEEPER_PROFILE) over the standard AWS configuration chain,
// --endpoint (AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, or its alias
// SCOPEKEEPER_ENDPOINT) for a local emulator, --output text|json (plan:
// also markdown), --quiet. "scopekeeper COMMAND --help" explains each command with
// an example. Text is colored on a terminal unless NO_COLOR is set.
//
// Exit codes: 0 success; 1 error (a typo such as remove-scope of a scope
// that is not defined, or revoke of a scope not held, included); 2 when
// plan --detailed-exitcode finds changes or audit --detailed-exitcode
// finds something; 3 when plan --detailed-exitcode finds changes that
// apply refuses unless --allow-dangling or --allow-regrant; 130 (SIGINT) or
// 143 (SIGTERM) when interrupted. apply -f asks for confirmation on a
// terminal and, without one, refuses unless --auto-approve. Progress goes
// to standard error: apply's line per step as it lands, and on a terminal
// a bar for long work (apply's steps, the reads of every app client by
// plan, export, who-allows, audit) with done of total, the rate and the
// time left at the pacer's rate; --quiet (-q) prints neither.
//
// The first SIGINT or SIGTERM stops an apply without losing track: no new
// write starts, the writes in flight get reconcile.DefaultGrace to land and
// be verified, what landed is read back, and the summary counts each step
// as done, written but not verified, failed or not tried. A second signal
// exits at once, without a summary.
//
// The file format and what plan and apply do are those of package
// github.com/scopekeeper/scopekeeper/reconcile; README.md in this
// directory has a quickstart, and docs/ci.md a CI recipe.
package main
