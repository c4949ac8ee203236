// Package reconcile brings an Amazon Cognito user pool to a desired state
// kept in a file: its resource servers, their scopes, and the scopes its
// app clients are granted. It plans, prints, saves and applies, like a
// small Terraform for one pool that never deletes anything by surprise.
//
// # The file
//
// One schema, in YAML or JSON:
//
//	userPoolId: us-east-1_Example1        # or PlanOptions.UserPoolID
//	resourceServers:
//	  - identifier: https://orders.example.com
//	    name: Orders API
//	    additive: false                    # true: only add or update the listed scopes; never remove any
//	    scopes:
//	      - name: orders.read
//	        description: Read orders
//	appClients:                            # optional: grants, by clientId or clientName
//	  - clientName: billing-worker
//	    scopes: [https://orders.example.com/orders.read]
//
// [Parse] checks every entry before anything is sent and reports all
// problems at once in a *[FileError], sorted by position, each a *[Problem]
// with its file, line, column, field path and rule: Cognito's rules
// (package validate), unknown keys, wrong types, duplicates, more than 100
// scopes; [Reconciler.Plan] adds, in the same report, those found against
// the pool. The bytes are never altered and a hostile file cannot explode:
// invalid UTF-8 and YAML aliases are refused, a byte-order mark is skipped,
// and a file is bounded in size, tokens and nesting ([MaxFileSize]).
//
// A resource server the file lists is owned whole (its scopes are exactly
// the file's), unless it is additive. Of an app client the file lists, the
// scopes of the servers the file owns become exactly the file's; its other
// scopes are left alone.
//
// # Plan and apply
//
//	rec := reconcile.New(api, appclient.New(api)) // api: a *cognitoidentityprovider.Client
//	f, err := reconcile.ReadFile("scopes.yaml")
//	if err != nil { ... } // a *reconcile.FileError
//	p, err := rec.Plan(ctx, f, reconcile.PlanOptions{})
//	if err != nil { ... }
//	p.WriteText(os.Stdout) // + create, ~ change, - delete; Plan: N to add, N to change, N to destroy.
//	res, err := rec.Apply(ctx, p, reconcile.ApplyOptions{})
//
// [Reconciler.Plan] reads the pool with one ListResourceServers per 50
// servers (never a Describe per server) and app clients only when needed.
// The [Plan] is a plain value: each server's [resourceserver.Change], the
// grants to add and revoke, the grants a removal would leave dangling and
// the inactive grants an addition would revive. It prints as a diff
// ([Plan.WriteText]) and as JSON with a version ([Plan.MarshalJSON]), which
// [ReadPlan] reads back to apply later.
//
// [Reconciler.Apply] refuses dangling grants and re-grants unless allowed
// ([ImpactError]) and a plan whose pool changed since it was made
// ([StaleError]); then it revokes, writes the resource servers in parallel
// through a resourceserver.Client (its guard, validation and pacing),
// verifies the whole wave with ListResourceServers, and grants. The
// [Result] says what was done, what failed, what was written but not
// verified and what was not tried; [ApplyOptions.OnStep] reports each step
// as it lands, before its wave's listing, and [ApplyOptions.Progress] each
// final outcome.
//
// A saved plan is checked, not trusted: Apply refuses one made through
// another region or endpoint ([TargetError]) or whose pool changed
// ([StaleError]), and computes its dangling grants and re-grants again
// from what it reads, so a plan whose "dangling" list was edited away is
// still refused.
//
// # Interrupts
//
// When the context of Apply ends, no new step starts; the steps in flight
// keep sending on a context that does not end with it, for
// [ApplyOptions.Grace] (default [DefaultGrace]), so that their writes land
// and are verified by the wave's listing. Steps still unfinished then are
// cut, and Apply reads back what they left on a fresh context with a short
// deadline: each is done if its write is in place, else [Unverified] (a
// request cut on this side may still be carried out). The error is an
// *[ApplyError] that matches the context's cause.
//
// # The window that remains
//
// The app-client checks hold for the state Apply read. An app client
// granted a scope by another writer after that read and before the
// removal lands keeps it dangling, unless every writer shares a
// resourceserver Locker. And a write cut by an interrupt (after the grace,
// or by a second signal in the command) may land after the read back,
// which reports it [Unverified]: read the pool again before acting on it.
package reconcile
