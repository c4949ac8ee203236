// Package proctest runs the test binary again as child processes, for
// measurements that need separate processes: replicas that share one
// quota, or a process that its host stops and resumes.
//
// A child and its parent talk in lines. The package's TestMain calls the
// child's side, [Serve], when an environment variable of its own says the
// binary runs as a child; Serve prints "ready", waits for the start line,
// runs the work and prints its result as JSON. The benchmark starts the
// children with [Start], which waits until each is ready, and [Release]
// starts them all at once, stops the first as [Pauses] says, and collects
// their results in a [Run]:
//
//	func TestMain(m *testing.M) {
//		if os.Getenv("EXAMPLE_CHILD") != "" {
//			if err := proctest.Serve(work); err != nil {
//				fmt.Fprintln(os.Stderr, "child:", err)
//				os.Exit(1)
//			}
//			os.Exit(0)
//		}
//		os.Exit(m.Run())
//	}
//
//	func BenchmarkX(b *testing.B) {
//		children := []*proctest.Child{proctest.Start(b, "EXAMPLE_CHILD=1"), proctest.Start(b, "EXAMPLE_CHILD=1")}
//		run := proctest.Release[result](b, children, proctest.Pauses{})
//		b.ReportMetric(float64(len(run.Results))/run.Active().Seconds(), "results/s")
//	}
//
// Standard output is the channel from child to parent: work logs to
// standard error, which the children share with the test.
package proctest
