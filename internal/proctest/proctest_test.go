package proctest_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scopekeeper/scopekeeper/internal/proctest"
)

func TestRelease(t *testing.T) {
	t.Parallel()
	names := []string{"a", "b", "c"}
	children := make([]*proctest.Child, len(names))
	for i, name := range names {
		children[i] = proctest.Start(t, childEnv+"=1", nameEnv+"="+name)
	}
	run := proctest.Release[result](t, children, proctest.Pauses{})
	var got []string
	for i, res := range run.Results {
		got = append(got, res.Name)
		if res.Started < run.Start.UnixNano() {
			t.Errorf("child %s began its work %v before Release wrote the start line", names[i], run.Start.Sub(time.Unix(0, res.Started)))
		}
	}
	if diff := cmp.Diff(names, got); diff != "" {
		t.Errorf("Release() results by name (-want +got):\n%s", diff)
	}
	if len(run.Pauses) != 0 {
		t.Errorf("Release() with no Pauses made pauses %v", run.Pauses)
	}
	if got, want := run.Active(), run.End.Sub(run.Start); got != want {
		t.Errorf("Active() = %v, want End-Start = %v", got, want)
	}
}

// TestReleasePauses checks that the first child is stopped as Pauses
// says: it sees its clock jump by about the length of a pause, and Release
// reports each pause.
func TestReleasePauses(t *testing.T) {
	t.Parallel()
	// The pauses end 500ms after the release; the watched child works
	// 900ms, so that both pauses fall in its work on a busy machine too.
	p := proctest.Pauses{N: 2, After: 50 * time.Millisecond, For: 200 * time.Millisecond}
	watched := proctest.Start(t, childEnv+"=1", nameEnv+"=watched", watchEnv+"=900ms")
	other := proctest.Start(t, childEnv+"=1", nameEnv+"=other")
	run := proctest.Release[result](t, []*proctest.Child{watched, other}, p)
	if len(run.Pauses) != p.N {
		t.Fatalf("Release() made %d pauses, want %d: %v", len(run.Pauses), p.N, run.Pauses)
	}
	for _, ps := range run.Pauses {
		if d := ps.To.Sub(ps.From); d < p.For {
			t.Errorf("pause from %v to %v lasted %v, want at least %v", ps.From, ps.To, d, p.For)
		}
	}
	// A stopped process cannot read its clock: two readings span the
	// whole stop. Half of it leaves room for the signal's delivery.
	if gap := run.Results[0].MaxGap; gap < p.For/2 {
		t.Errorf("the paused child's longest gap between clock readings = %v, want at least %v", gap, p.For/2)
	}
}

func TestActive(t *testing.T) {
	t.Parallel()
	at := func(ms int) time.Time { return time.Unix(1000, 0).Add(time.Duration(ms) * time.Millisecond) }
	tests := []struct {
		name   string
		pauses []proctest.Pause
		want   time.Duration
	}{
		{name: "no pauses", want: time.Second},
		{name: "inside", pauses: []proctest.Pause{{From: at(100), To: at(300)}, {From: at(500), To: at(600)}}, want: 700 * time.Millisecond},
		{name: "across the end", pauses: []proctest.Pause{{From: at(900), To: at(1500)}}, want: 900 * time.Millisecond},
		{name: "after the end", pauses: []proctest.Pause{{From: at(1000), To: at(1200)}}, want: time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			run := proctest.Run[result]{Start: at(0), End: at(1000), Pauses: tt.pauses}
			if got := run.Active(); got != tt.want {
				t.Errorf("Active() = %v, want %v", got, tt.want)
			}
		})
	}
}
