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
// [Result] says what was done, what failed and what was not tried.
package reconcile
