// Package resourceserver reads and changes Amazon Cognito resource servers
// and their scopes without losing any.
//
// # The pitfall it removes
//
// Cognito's UpdateResourceServer replaces a resource server: a name left
// out is rejected, and a scope left out is deleted. Adding one scope with a
// plain SDK call therefore needs a Describe, a careful copy of every
// existing scope and an Update, and two such read-modify-writes that
// overlap silently delete each other's scopes, because Cognito has no
// version or conditional update. Deleted scopes also stop working in every
// app client that allows them.
//
// A [Client] turns each change into a delta (scopes to add or update,
// names to remove, a new name, or a whole new scope set) and applies it in
// one place:
//
//	cfg, err := config.LoadDefaultConfig(ctx)
//	if err != nil { ... }
//	c := resourceserver.New(cognitoidentityprovider.NewFromConfig(cfg))
//	rs, err := c.AddScope(ctx, "us-east-1_AbCdEf123", "https://orders.example.com",
//		resourceserver.Scope{Name: "orders.write", Description: "Write orders"})
//	if rserrors.IsNotFound(err) { ... }
//	fmt.Println(rs.TokenScopes()) // [https://orders.example.com/orders.read https://orders.example.com/orders.write]
//
// [Client.AddScope], [Client.AddScopes], [Client.RemoveScopes],
// [Client.UpdateScopes], [Client.ClearScopes] and [Client.Rename] are
// [Client.Modify] with a fixed delta; Modify derives the delta from what
// its function changed. [Client.Create], [Client.Get], [Client.Delete] and
// [Client.List] are single calls (List one per page of 50).
//
// # What a change does
//
// With the default [Options], each change:
//
//  1. validates its arguments with package validate: bad input (a bad
//     pool ID or name, a scope name with "/", a repeated scope name, more
//     than 100 scopes, an empty list for UpdateScopes) sends nothing;
//  2. takes a per-resource-server lock in the process, then Options.Locker
//     if set, both honouring ctx;
//  3. sends DescribeResourceServer, after waiting for the pool's read rate
//     limit;
//  4. applies the delta to that state: existing scopes keep their order,
//     new ones are appended; if nothing changed (order alone is no change),
//     it returns here;
//  5. validates the resulting UpdateResourceServer input (so a 101st scope
//     is refused) and passes it through a guard that refuses, with
//     *rserrors.UnsafeUpdateError, an update without a name or one that
//     drops a scope the caller did not name for removal;
//  6. sends UpdateResourceServer with the full name and the full scope list,
//     after waiting for the pool's update rate limit;
//  7. waits twice as long as that Describe and Update took (at most 2s),
//     so that another writer's Update already on its way lands first, then
//     sends DescribeResourceServer again to verify that its delta is in
//     place; if another writer overwrote it, waits a jittered backoff,
//     sends DescribeResourceServer again (not when the backoff is 0: the
//     verified state is still fresh), applies the delta to that state and
//     goes back to 5, up to Options.MaxAttempts writes, then returns
//     *rserrors.ConflictError.
//
// So a change costs, in Cognito calls: Describe alone when there is
// nothing to do; Describe + Update + Describe normally; one more
// Describe + Update + Describe per overwrite found (Update + Describe with
// a Backoff of 0).
//
// # What it guarantees, and what it cannot
//
// Within one process, changes to the same resource server through one
// Client run one at a time, so they never overwrite each other; changes to
// different resource servers run in parallel. Across processes,
// verification catches an overwrite that lands before the verifying
// Describe and re-applies the change. It cannot catch one that lands after
// it: a writer whose stale Update arrives after this Client verified still
// deletes this Client's scopes, and no one is told. Only a lock that every
// writer takes, Options.Locker (a [Locker] backed by DynamoDB, Redis or
// the like; [NewMemoryLocker] within one process), excludes that.
//
// # Options and their cost
//
//   - DisableVerify: a change costs Describe + Update, with no wait before
//     a verifying Describe; cross-process overwrites go unnoticed. The
//     result is what the Update returned.
//   - MaxAttempts (default 5): the most Updates one change sends when it
//     keeps being overwritten; each extra one costs Describe + Update +
//     Describe.
//   - Backoff: the wait before each rewrite (default: random, up to
//     100ms×2^(n-1), at most 2s).
//   - Locker: no Cognito call; one Lock per change.
//   - ReadRate, UpdateRate (default 5 per second per user pool, burst 1,
//     Cognito's per-pool quotas), DisableRateLimit: no extra call, but
//     waiting: at the defaults, a verified change waits about 200ms
//     between its two Describes. The limits are per Client; the account-wide
//     quotas (20 reads and 15 updates per second) are not tracked.
//
// Retries of throttling (TooManyRequestsException) and of server errors
// stay with the SDK client's retryer. Every call carries an option that
// stops the retryer from retrying LimitExceededException, which the SDK's
// standard retryer treats as throttling although it is a quota that no
// retry can satisfy.
//
// # Errors
//
// Every error a Client method returns is an [*OpError] naming the method,
// the user pool and the identifier, such as
//
//	resourceserver: AddScopes us-east-1_x/https://orders.example.com: cognito DescribeResourceServer: ResourceNotFoundException (status 400, request id ...): Resource server https://orders.example.com does not exist.
//
// Its cause is a service error mapped by rserrors.From, so
// rserrors.IsNotFound(err), errors.As(err, &notFound) with a
// *rserrors.ResourceNotFoundError, and errors.As with the SDK's
// *types.ResourceNotFoundException all work; or a
// *rserrors.ValidationError, *rserrors.UnsafeUpdateError or
// *rserrors.ConflictError; or the context's error.
//
// # Testing
//
// [API] holds the five SDK methods a Client uses; a fake of it is enough
// for unit tests. Package cognitotest runs a local Cognito emulator
// that a real SDK client can talk to.
package resourceserver
