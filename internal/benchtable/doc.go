// Command benchtable runs scopekeeper's benchmarks and prints one Markdown
// table in which every figure comes with its ratio to a baseline measured
// in the same run:
//
//	go run ./internal/benchtable
//
// The groups of the table:
//
//   - validating a valid 100-scope UpdateResourceServer input: the
//     hand-written validate.UpdateResourceServerInput against the
//     regexp-based reference of its tests (BenchmarkUpdateResourceServerInput
//     in package validate), ns/op, B/op and allocs/op;
//   - one AddScope against the local emulator: the resourceserver.Client,
//     with and without verification and with its rate limits off, against
//     a hand-written Describe + Update on the raw SDK client
//     (BenchmarkAddScope in package resourceserver);
//   - the Cognito calls of AddScope, of an AddScope with nothing to do, of
//     RemoveScopes, of Rename and of listing 120 resource servers, through
//     the Client and as the naive raw-SDK equivalent (BenchmarkCalls in
//     package resourceserver), calls/op as the emulator's request log
//     counts them, and ns/op;
//   - 12 AddScopes at once on one resource server, against the emulator
//     enforcing Cognito's quota of 5 requests per second, with the
//     Client's default Options: one Client, which coalesces them, and 12
//     Clients, against one Client doing them one after the other
//     (BenchmarkDeployCoalesce in package resourceserver, one iteration),
//     ns/op and calls/op.
//
// It runs `go test -run '^$' -bench <pattern> -benchmem -benchtime <t>
// <package>` once per group of benchmarks, in the current module, prints
// each command and its progress to standard error and the table to
// standard output. -benchtime (default 1s) sets the time of the timing
// benchmarks; -callstime (default 300x) the iterations of the call-count
// benchmarks, whose counts are exact but whose times need some
// repetitions. BenchmarkDeployCoalesce always runs once (-benchtime 1x),
// as each of its iterations waits seconds for the quota. The whole run
// takes about 30 s on two cores. It exits 1 if a benchmark fails or a
// figure is missing.
package main
