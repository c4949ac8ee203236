package main

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/scopekeeper/scopekeeper/appclient"
	"github.com/scopekeeper/scopekeeper/pace"
	"github.com/scopekeeper/scopekeeper/reconcile"
)

// Progress on long work goes to standard error as a bar that redraws
// itself on one line, drawn by github.com/schollz/progressbar:
//
//	 50% |██████████          | (500/1000) [1m43s] app clients read, 4.8/s, about 1m43s left
//
// (done of total, the time since the bar started, the rate and the time
// left), only when standard error is a
// terminal (not a file, a pipe or a CI log), TERM is not "dumb", and
// --quiet is not set. Otherwise nothing is drawn and no escape code or
// carriage return is written. The estimate comes from the pacer's rate
// (the pool's quota, lowered after throttles), so it is right from the
// first read rather than after the throughput has been seen for a while.

// showProgress reports whether progress bars are drawn on standard error.
func (a *app) showProgress() bool {
	return !a.quiet && a.getenv("TERM") != "dumb" && a.isTerminal(a.stderr)
}

// bar is a progress bar on standard error. A nil *bar draws nothing, so
// the callers need not ask whether progress is shown.
type bar struct {
	label string
	desc  string // the description drawn: label, rate, time left
	done  int    // the count drawn
	pb    *progressbar.ProgressBar
}

// newBar returns a bar for total units of work labelled label, or nil
// when progress is not shown or there is no work. It is drawn at each
// change: the reads and writes it follows are paced to a few per second,
// and the tests draw it in virtual time. The bar drawn before it, if not
// ended, is ended: one bar is drawn at a time, on the last line.
func (a *app) newBar(label string, total int) *bar {
	if total <= 0 || !a.showProgress() {
		return nil
	}
	w := a.stderr
	pb := progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetWidth(20),
		progressbar.OptionShowCount(),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionSetPredictTime(false), // the estimate comes from the pacer (see update)
		progressbar.OptionShowDescriptionAtLineEnd(),
		progressbar.OptionSetDescription(label),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
	)
	b := &bar{label: label, desc: label, pb: pb}
	a.barMu.Lock()
	defer a.barMu.Unlock()
	a.lastBar.end()
	a.lastBar = b
	return b
}

// endBar ends the last bar drawn, if it stopped short of its total: the
// command is over.
func (a *app) endBar() {
	a.barMu.Lock()
	defer a.barMu.Unlock()
	a.lastBar.end()
	a.lastBar = nil
}

// update draws done of the total, the rate in units per second (not
// shown unless a positive, finite number) and the time left (not shown
// when 0).
func (b *bar) update(done int, rate float64, left time.Duration) {
	if b == nil {
		return
	}
	desc := b.label
	if rate > 0 && !math.IsInf(rate, 1) {
		desc += fmt.Sprintf(", %.1f/s", rate)
	}
	if left > 0 {
		desc += ", about " + max(left.Round(time.Second), time.Second).String() + " left"
	}
	// Describe and Set each draw the bar: the text first, when it changed,
	// then the count, when it changed or nothing was drawn, so that the
	// last line drawn holds both.
	if desc != b.desc {
		b.desc = desc
		b.pb.Describe(desc)
		if done == b.done {
			return
		}
	}
	b.done = done
	_ = b.pb.Set(done) // an error is only a count beyond the total, which the bar caps
}

// println prints line above the bar: the bar is erased, the line
// written, and the bar drawn again below it.
func (b *bar) println(line string) {
	_, _ = progressbar.Bprintln(b.pb, line)
	_ = b.pb.Add(0) // draws the line and the bar
}

// end ends the bar's line, where the work stopped short of the total (a
// failure, an interruption); a bar that reached its total has ended it.
func (b *bar) end() {
	if b == nil || b.pb.IsFinished() {
		return
	}
	_ = b.pb.Exit()
}

// withScanProgress returns ctx, with a bar for each scan of a pool's app
// clients (appclient.Client.Grants and Holders) run with it when progress
// is shown: a report with nothing read yet is the start of a scan (its
// listing is over), any other one moves the scan's bar. The reports of
// one scan do not overlap.
func (a *app) withScanProgress(ctx context.Context) context.Context {
	if !a.showProgress() {
		return ctx
	}
	var mu sync.Mutex // reports of concurrent scans may overlap
	var cur *bar
	return appclient.WithProgress(ctx, func(p appclient.Progress) {
		mu.Lock()
		defer mu.Unlock()
		if p.Done == 0 {
			cur = a.newBar("app clients read", p.Total)
		}
		cur.update(p.Done, p.Rate, p.Remaining())
	})
}

// applyProgress follows an apply's steps on standard error: unless the
// output is JSON, a line per step as soon as it is over on its side,
// "[k/total] <step>: <outcome>" (a resource-server step as its write
// lands, "written, not verified", then again once the listing of its wave
// gives its final outcome); and when progress is shown, a bar below the
// lines of the steps finished, with an estimate of the time left at the
// pacer's rates: a resource-server step costs one resource-server write,
// an app-client step a read and a write of the app client. With --quiet
// it prints nothing.
type applyProgress struct {
	a            *app
	lines, draws bool // print the step lines, draw the bar
	total        int
	started      time.Time
	bar          *bar // drawn at the first step, after the reads of the apply
	// servers and clients count the steps not finished, per kind.
	servers, clients int
	over             int             // steps over on their side
	early            map[string]bool // steps reported before their final outcome
}

// printSteps sets opts to report the progress of the apply of p.
func (a *app) printSteps(opts *reconcile.ApplyOptions, p *reconcile.Plan) {
	ap := &applyProgress{a: a, lines: !a.quiet && !a.json(), draws: a.showProgress()}
	if !ap.lines && !ap.draws {
		return
	}
	ap.clients = stepsOfGrants(p)
	ap.servers = len(p.Servers)
	ap.total, ap.started, ap.early = ap.servers+ap.clients, time.Now(), map[string]bool{}
	opts.OnStep = ap.onStep
	opts.Progress = ap.progress
}

func stepKey(s reconcile.Step) string { return string(s.Kind) + " " + s.Target }

func (ap *applyProgress) onStep(s reconcile.StepResult) {
	ap.over++
	if s.Outcome == reconcile.Unverified {
		ap.early[stepKey(s.Step)] = true
	}
	ap.line(ap.over, s)
}

func (ap *applyProgress) progress(s reconcile.StepResult, finished, _ int) {
	if ap.early[stepKey(s.Step)] {
		ap.line(finished, s)
	}
	switch s.Step.Kind {
	case reconcile.StepRevoke, reconcile.StepGrant:
		ap.clients--
	default:
		ap.servers--
	}
	ap.showBar()
	ap.bar.update(finished, float64(finished)/time.Since(ap.started).Seconds(), ap.left())
}

// showBar draws the bar, at the first step: the reads of the apply
// before it may draw bars of their own.
func (ap *applyProgress) showBar() {
	if ap.bar == nil && ap.draws {
		ap.bar = ap.a.newBar("steps finished", ap.total)
		ap.bar.update(0, 0, ap.left())
	}
}

// line prints the line of step s, the nth: above the bar when there is
// one.
func (ap *applyProgress) line(n int, s reconcile.StepResult) {
	ap.showBar()
	if !ap.lines {
		return
	}
	l := fmt.Sprintf("[%d/%d] %s: %s", n, ap.total, s.Step, s.Outcome)
	if s.Err != nil {
		l += ": " + s.Err.Error()
	}
	if ap.bar == nil {
		fmt.Fprintln(ap.a.stderr, l)
		return
	}
	ap.bar.println(l)
}

// left estimates the time the steps not finished take at the pacer's
// current rates.
func (ap *applyProgress) left() time.Duration {
	p, pool := ap.a.pacer, ap.a.pool
	secs := 0.0
	if r := p.Rate(pool, pace.ResourceUpdate); ap.servers > 0 && !math.IsInf(r, 1) {
		secs += float64(ap.servers) / r
	}
	r := min(p.Rate(pool, pace.ClientRead), p.Rate(pool, pace.ClientUpdate))
	if ap.clients > 0 && !math.IsInf(r, 1) {
		secs += float64(ap.clients) / r
	}
	return time.Duration(secs * float64(time.Second))
}
