// Package resourceserver reads and changes Amazon Cognito resource servers
// and their scopes without losing any.
//
// # The pitfall it removes
//
// Cognito's UpdateResourceServer replaces a resource server: a scope left
// out is deleted, and two read-modify-writes that overlap silently delete
// each other's scopes, because Cognito has no version or conditional
// update. Removing a scope also leaves it, inactive, on the app clients
// that allow it, and defining it again grants it to them again.
//
// # Using the package
//
// A [Client] wraps the SDK's client. Every change is a [Change], a value
// kept apart from any state, applied by [Client.Apply] in one guarded,
// verified and paced read-modify-write that sends the full name and scope
// list:
//
//	cfg, err := config.LoadDefaultConfig(ctx)
//	if err != nil { ... }
//	c := resourceserver.New(cognitoidentityprovider.NewFromConfig(cfg))
//	rs, err := c.AddScopes(ctx, "us-east-1_AbCdEf123", "https://orders.example.com",
//		resourceserver.Scope{Name: "orders.write", Description: "Write orders"})
//	if rserrors.IsResourceServerNotFound(err) { ... }
//	fmt.Println(rs.TokenScopes()) // [https://orders.example.com/orders.read https://orders.example.com/orders.write]
//
// [Client.AddScope], [Client.AddScopes], [Client.RemoveScopes],
// [Client.UpdateScopes], [Client.ClearScopes], [Client.Rename] and
// [Client.Modify] build a Change and call Apply. [Client.Ensure] is what a
// service calls at start-up: create the resource server or add its scopes,
// safe when every replica calls it at once. [Client.Create], [Client.Get],
// [Client.Delete] and [Client.List] are single calls (List one per page of
// 50). [Diff] turns two states into the Change between them, for plans.
//
// # What it guarantees
//
//   - Nothing is sent for input that breaks Cognito's rules: every
//     violation comes back at once as a *rserrors.ValidationError whose
//     field paths name the caller's arguments.
//   - No Update drops the name or a scope the change did not remove by
//     name; a replace removes only the scopes it read. A Describe answer
//     without a resource server is an error, never an empty state.
//   - Changes to one resource server through one Client are serialized
//     and coalesced; across processes, verification restores overwritten
//     changes it sees, and a [Locker] shared by every writer excludes lost
//     updates. [Client.Apply] says exactly what concurrent calls
//     guarantee.
//   - Every request, the SDK's own retries included, is paced per user
//     pool and quota category at the moment it is sent, and the rate adapts
//     to throttles, so replicas that share a pool's quota, processes that
//     are paused and quotas without burst do not make calls fail. Every
//     Client of the process shares one pacer (Options.Pacer, by default
//     pace.Default()), so several Clients on one pool stay within its
//     quota together.
//   - With Options.Grants, a change does not leave scopes dangling on app
//     clients or grant inactive ones again unless told to ([GrantPolicy]).
//
// # Errors
//
// Every error a Client method returns is an [*OpError] naming the method,
// the user pool and the identifier. Its cause is a service error mapped by
// rserrors.From (rserrors.IsNotFound, IsUserPoolNotFound,
// IsResourceServerNotFound, IsAlreadyExists, and errors.As into the SDK's
// own exception types all work), or one of *rserrors.ValidationError,
// UnsafeUpdateError, ConflictError, InvalidResponseError, GrantsError,
// LockLostError, or the context's error.
//
// # Testing
//
// [API] holds the five SDK methods a Client uses; a hand-written fake is
// enough for unit tests (pacing runs inside the SDK client's middleware, so
// a fake is never paced). Package cognitotest runs a local Cognito
// emulator that the real SDK client can talk to, with quotas and faults.
package resourceserver
