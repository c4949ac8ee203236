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
//	scopekeeper plan -f FILE [--prune] [--detailed-exitcode] [--out PLANFILE]
//	scopekeeper apply -f FILE [--prune] [--auto-approve] [--allow-dangling] [--allow-regrant] [--continue-on-error]
//	scopekeeper apply PLANFILE
//	scopekeeper export [--app-clients=false]
//	scopekeeper list | get IDENTIFIER
//	scopekeeper add-scope IDENTIFIER NAME DESCRIPTION [--allow-regrant]
//	scopekeeper remove-scope IDENTIFIER NAME... [--cascade | --allow-dangling]
//	scopekeeper rename IDENTIFIER NAME
//	scopekeeper grant [--by-name] CLIENT SCOPE... | revoke [--by-name] CLIENT SCOPE...
//	scopekeeper who-allows SCOPE
//
// Global flags: --pool (SCOPEKEEPER_POOL_ID), --region (SCOPEKEEPER_REGION),
// --profile (SCOPEKEEPER_PROFILE) over the standard AWS configuration chain,
// --endpoint (SCOPEKEEPER_ENDPOINT) for a local emulator, --output text|json.
// "scopekeeper COMMAND --help" explains each command with an example.
//
// Exit codes: 0 success, 1 error, 2 when plan --detailed-exitcode finds
// changes. apply -f asks for confirmation on a terminal and, without one,
// refuses unless --auto-approve. Progress goes to standard error.
//
// The file format and what plan and apply do are those of package
// github.com/scopekeeper/scopekeeper/reconcile.
package main
