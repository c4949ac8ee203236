// Package pace spaces the requests that scopekeeper sends to Cognito so
// that they stay within Cognito's request-rate quotas, per user pool and
// quota category (and, optionally, per account), in the conditions of real
// deployments: several Clients in one process, several replicas sharing
// one pool's quota, processes paused by the host, quotas that allow no
// burst.
//
// # Using the package
//
// A quota belongs to the pool, not to a Client, so a process paces all its
// requests to a pool with one [Pacer]. The Clients of packages
// resourceserver, appclient and reconcile use [Default], one Pacer per
// process at Cognito's per-pool quotas, unless their Options.Pacer names
// another; nothing needs to be done for them to share it. To pace the
// account-wide quotas too, or to log the pacing decisions, build one
// Pacer and hand it to every Client (or make it the default with
// [SetDefault] before building them):
//
//	p, err := pace.New(pace.Config{AccountCeilings: pace.DefaultAccountCeilings(), Logger: logger})
//	...
//	apps := appclient.New(api, func(o *appclient.Options) { o.Pacer = p })
//	rs := resourceserver.New(api, func(o *resourceserver.Options) { o.Pacer = p })
//
// For raw SDK calls, pass its [Pacer.Option] last among the options of
// every call, naming the call's user pool and [Category]:
//
//	out, err := client.UpdateResourceServer(ctx, in, p.Option(poolID, pace.ResourceUpdate))
//
// # The model
//
// Each (user pool, category) pair has a rate, which starts at the ceiling
// of its category (Config.Ceilings; 97% of it, the rest absorbing the
// jitter between sender and service). A request waits, before every
// attempt (the SDK's retries included), until at least 1/rate has passed
// since the last request of its pair left, and leaves then: a slot is
// taken only when its time has come, never reserved in advance, so a
// process that is paused (SIGSTOP, GC, CPU throttling, VM steal) and
// resumes with many requests waiting sends them 1/rate apart, not as a
// burst. Waiting requests are served in arrival order.
//
// A TooManyRequestsException lowers the rate of its pair to 70%, and the
// rate then climbs back with time along CUBIC's curve, as the SDK's
// adaptive retry mode does for a whole client: quickly at first, slowly
// near the rate of the last throttle, faster again beyond it, up to the
// ceiling. Throttles of requests sent before the last decrease do not
// lower it again. Replicas that share a pool's quota each back off on
// their own throttles and converge on the shared quota without any
// coordination; a replica alone again recovers the whole quota in a few
// seconds. The rate never falls below 1/25 of the ceiling.
//
// With Config.AccountCeilings, a request of a category paced account-wide
// also needs a slot of its Region's limiter, shared by every pool of the
// Region: once its pool's slot has come it waits, still first in its
// pool's queue, for the Region's, and takes both at the moment it leaves.
// Throttles lower the pool's rate only, as a throttle does not say which
// quota it enforced.
//
// # Retries
//
// The option wraps the call's retryer: a throttle is retried at once
// (its wait for a slot is the spacing), up to Config.ThrottleRetries
// times, on top of the SDK's attempts and without taking tokens from the
// SDK retryer's retry quota (which throttles would otherwise drain into
// "retry quota exceeded" errors); when that budget is spent the throttle
// reaches the caller. LimitExceededException, a quota no retry can
// satisfy, is never retried. Every other error keeps the SDK retryer's
// rules, counting only the attempts that were not throttled. A nil
// *Pacer paces nothing and keeps only the LimitExceededException rule.
//
// # What is not guaranteed
//
// A Pacer knows only the requests that go through it: two Pacers in one
// process (Clients given different ones, or the deprecated ReadRate and
// UpdateRate options, which give a Client its own), or replicas in
// several processes, do not see each other and meet only through the
// service's throttles, which they then retry. Without AccountCeilings the
// account-wide quotas (20 resource-server reads and 15 of each other
// category per second over all the pools of an account in a Region) are
// not tracked; a process that calls many pools at once can meet them, and
// their throttles then lower the rates of the pools whose calls they hit.
// The spacing is measured where the request leaves, not where the service
// counts it. A wait that would outlast the context's deadline is refused
// at once, estimated from the queue ahead at the current rate.
package pace
