// Package appclient reads and changes Amazon Cognito app clients (user pool
// clients) without resetting what it was not asked to change, grants and
// revokes scopes safely, and tells who holds which scope.
//
// # The pitfalls it removes
//
// UpdateUserPoolClient resets every field a request leaves out to its
// default, and AllowedOAuthFlowsUserPoolClient defaults to false, which
// switches OAuth off: adding one scope with a plain SDK call loses callback
// URLs, identity providers, auth flows and OAuth settings unless the caller
// copies every field by hand. Granting a scope that does not exist fails
// with ScopeDoesNotExistException. And removing a scope, or deleting its
// resource server, leaves it on the app clients that allow it as an
// inactive scope, which comes back to life when a scope of that name is
// defined again.
//
// A [Client] changes an app client only through [Client.Modify], a
// read-modify-write that carries every field of the Describe over into the
// Update, changed only where the caller changed it, refuses an Update that
// would reset anything else or turn OAuth off, and verifies the result:
//
//	cfg, err := config.LoadDefaultConfig(ctx)
//	if err != nil { ... }
//	c := appclient.New(cognitoidentityprovider.NewFromConfig(cfg))
//	a, err := c.GrantScopes(ctx, "us-east-1_AbCdEf123", "1example23456789",
//		"https://orders.example.com/orders.read")
//	var missing *appclient.ScopeNotFoundError
//	if errors.As(err, &missing) { ... } // nothing was written
//	fmt.Println(a.AllowedOAuthScopes)
//
// [Client.GrantScopes] and [Client.RevokeScopes] are Modify with a fixed
// change of AllowedOAuthScopes; GrantScopes first checks that each custom
// scope exists. [Client.Grants] reads, for a whole pool, which app clients
// allow which scope and which of those scopes are inactive;
// [Client.List] lists its app clients by ID and name, one call per 60.
// [Client.Holders] and [Client.Revoke] are the same reads and writes in
// the shape a resource-server client needs to refuse, or cascade, the
// removal of a scope that app clients hold, without importing this
// package.
//
// # Pacing
//
// Every request is spaced, at the moment of sending and on every attempt,
// to stay under its user pool's quota in its Cognito category:
// DescribeUserPoolClient and ListUserPoolClients (UserPoolClientRead),
// UpdateUserPoolClient (UserPoolClientUpdate), and the resource-server
// reads (UserPoolResourceRead), 5 requests per second each. The Pacer
// (Options.Pacer; package pace) is by default the one every Client of the
// process shares, so that an appclient.Client and a resourceserver.Client
// on one pool stay together within its resource-server read quota. A
// TooManyRequestsException lowers the rate and is retried. A
// LimitExceededException is never retried.
//
// # Errors
//
// Every error a Client method returns is an [*OpError] naming the method,
// the user pool and the app client. Its cause is a service error mapped by
// rserrors.From (so rserrors.IsNotFound and rserrors.IsInvalidOAuthFlow
// work), a [*ScopeNotFoundError] (rserrors.IsScopeDoesNotExist), whether
// the Client found the scope missing or Cognito did, an [*UnsafeUpdateError]
// (rserrors.IsUnsafeUpdate), a *rserrors.ValidationError, a
// *rserrors.ConflictError or the context's error.
//
// A *rserrors.ValidationError speaks of what the caller passed: each
// violation's Field is the path of an argument of the method ("poolID",
// "clientID", "scopes[2]", "fn"), or, for the result of a Modify function
// or of a change, the [AppClient] field ("AllowedOAuthScopes[2]",
// "ClientID"); its Operation is the method ("GrantScopes").
//
// # Testing
//
// [API] holds the five SDK methods a Client uses; a fake of it is enough
// for unit tests. Package cognitotest runs a local Cognito emulator that a
// real SDK client can talk to.
package appclient
