package reconcile

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
)

// Sentinels for errors.Is.
var (
	// ErrStale matches a *StaleError: the pool changed since the plan was
	// made.
	ErrStale = errors.New("plan is stale")
	// ErrDangling matches a *rserrors.GrantsError with scopes a removal
	// would leave dangling on app clients: it is
	// rserrors.ErrDanglingGrants.
	ErrDangling = rserrors.ErrDanglingGrants
	// ErrRegrant matches a *rserrors.GrantsError with inactive grants an
	// addition would make active again: it is rserrors.ErrRegrant.
	ErrRegrant = rserrors.ErrRegrant
	// ErrPlanVersion matches a *PlanVersionError.
	ErrPlanVersion = errors.New("unsupported plan version")
	// ErrTarget matches a *TargetError: the plan was made for another
	// region or endpoint.
	ErrTarget = errors.New("plan made for another region or endpoint")
)

// Problem is one entry of a file that breaks a rule. Nothing was sent to
// Cognito. It matches rserrors.ErrValidation.
type Problem struct {
	// File is the file's name as given to Parse.
	File string
	// Line and Column locate the value (or its key, for an unknown key),
	// both from 1, the column in characters; 0 when the File was built in
	// code or the problem is of the whole file (such as its size).
	Line, Column int
	// Path is the field path, such as "resourceServers[0].scopes[2].name";
	// "" for the whole file.
	Path string
	// Rule is the rule broken: a rule of package validate (such as
	// rserrors.RulePattern or rserrors.RuleUnique) or one of this
	// package's (such as RuleUnknownField).
	Rule rserrors.Rule
	// Detail states the rule and what broke it.
	Detail string
	// Value is the offending value, shortened by rserrors.Shorten; "" when
	// there is none to show.
	Value string
}

// Error returns "<file>:<line>:<col>: <path>: <rule>: <detail> (value
// "<value>")", leaving out the parts that are empty or zero.
func (p *Problem) Error() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		b.WriteByte(':')
	}
	if p.Line > 0 {
		fmt.Fprintf(&b, "%d:%d:", p.Line, p.Column)
	}
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	if p.Path != "" {
		b.WriteString(p.Path + ": ")
	}
	fmt.Fprintf(&b, "%s: %s", p.Rule, p.Detail)
	if p.Value != "" {
		fmt.Fprintf(&b, " (value %q)", p.Value)
	}
	return b.String()
}

// Is reports whether target is rserrors.ErrValidation.
func (p *Problem) Is(target error) bool { return target == rserrors.ErrValidation }

// FileError lists the problems of a file, sorted by position (line, then
// column; problems without one first, in the order found). Nothing was
// sent to Cognito. It matches rserrors.ErrValidation, and errors.As
// reaches each *Problem through Unwrap.
type FileError struct {
	// File is the file's name.
	File string
	// Problems holds the first MaxProblems problems.
	Problems []*Problem
	// More counts the problems found beyond those in Problems.
	More int
}

// newFileError returns a *FileError of probs, sorted and cut to
// MaxProblems; nil when there is none.
func newFileError(file string, probs []*Problem) *FileError {
	if len(probs) == 0 {
		return nil
	}
	probs = slices.Clone(probs)
	slices.SortStableFunc(probs, func(a, b *Problem) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	e := &FileError{File: file, Problems: probs}
	if len(probs) > MaxProblems {
		e.Problems, e.More = slices.Clip(probs[:MaxProblems]), len(probs)-MaxProblems
	}
	return e
}

// Error returns "reconcile: <file>: <n> problem(s)" followed by one
// problem a line and, when some are left out, "... and <n> more".
func (e *FileError) Error() string {
	var b strings.Builder
	name := e.File
	if name == "" {
		name = "desired state"
	}
	n := len(e.Problems) + e.More
	fmt.Fprintf(&b, "reconcile: %s: %d problem", name, n)
	if n != 1 {
		b.WriteByte('s')
	}
	for _, p := range e.Problems {
		b.WriteString("\n  " + p.Error())
	}
	if e.More > 0 {
		fmt.Fprintf(&b, "\n  ... and %d more", e.More)
	}
	return b.String()
}

// Is reports whether target is rserrors.ErrValidation.
func (e *FileError) Is(target error) bool { return target == rserrors.ErrValidation }

// Unwrap returns the problems listed.
func (e *FileError) Unwrap() []error {
	out := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = p
	}
	return out
}

// StaleError reports a saved plan whose user pool changed since the plan
// read it: applying it would act on a state nobody reviewed. Nothing was
// sent but the reads.
type StaleError struct {
	// UserPoolID is the user pool.
	UserPoolID string
	// Planned is the fingerprint of the state the plan read; Found the
	// fingerprint of the state read now.
	Planned, Found string
}

// Error says the plan is stale and how to make a new one.
func (e *StaleError) Error() string {
	return fmt.Sprintf("reconcile: user pool %s changed since the plan was made (fingerprint %s, now %s); make a new plan",
		e.UserPoolID, short(e.Planned), short(e.Found))
}

// Is reports whether target is ErrStale.
func (e *StaleError) Is(target error) bool { return target == ErrStale }

func short(fp string) string {
	if len(fp) > 12 {
		return fp[:12]
	}
	return fp
}

// ImpactError reports a plan refused before anything was sent because it
// would leave grants dangling or re-grant inactive scopes, and the caller
// did not allow it ([ApplyOptions]): a *rserrors.GrantsError for the whole
// pool (Identifier empty), whose Names name the app clients.
//
// Deprecated: ImpactError is an alias of [rserrors.GrantsError], the one
// type for this refusal in every package; use that name. Plan.Dangling and
// Plan.Regrants keep the [Impact] lists.
type ImpactError = rserrors.GrantsError

// impactError returns the refusal of the dangling and regrants listed, nil
// when both are empty.
func impactError(pool string, dangling, regrants []Impact) error {
	if len(dangling) == 0 && len(regrants) == 0 {
		return nil
	}
	e := &rserrors.GrantsError{UserPoolID: pool, Names: map[string]string{}}
	add := func(m map[string][]string, ims []Impact) map[string][]string {
		if len(ims) == 0 {
			return nil
		}
		if m == nil {
			m = map[string][]string{}
		}
		for _, im := range ims {
			for _, c := range im.Clients {
				m[im.Scope] = append(m[im.Scope], c.ID)
				if c.Name != "" {
					e.Names[c.ID] = c.Name
				}
			}
		}
		return m
	}
	e.Dangling = add(e.Dangling, dangling)
	e.Regrant = add(e.Regrant, regrants)
	return e
}

// PlanVersionError reports a saved plan of a version this package cannot
// read.
type PlanVersionError struct {
	// Version is the version the plan says; Supported the one this
	// package writes and reads.
	Version, Supported int
}

// Error names both versions.
func (e *PlanVersionError) Error() string {
	return "reconcile: plan version " + strconv.Itoa(e.Version) + " is not supported (this version reads " + strconv.Itoa(e.Supported) + ")"
}

// Is reports whether target is ErrPlanVersion.
func (e *PlanVersionError) Is(target error) bool { return target == ErrPlanVersion }

// ApplyError reports an apply that did not finish every step: some
// failed or are unverified, or its context ended. Result says what was
// done, what failed (with each error), what was written but not verified
// and what was not tried.
type ApplyError struct {
	// Result is the outcome of every step.
	Result *Result
	// Interrupted is why the apply's context ended (context.Cause), nil
	// when it did not.
	Interrupted error

	ctxErr error // the context's Err, when it ended
}

// Error counts the outcomes and lists each failure and unverified step.
func (e *ApplyError) Error() string {
	var b strings.Builder
	done, failed, skipped, unverified := e.Result.count()
	b.WriteString("reconcile: apply to user pool " + e.Result.UserPoolID)
	if e.Interrupted != nil {
		fmt.Fprintf(&b, " interrupted (%v)", e.Interrupted)
	}
	fmt.Fprintf(&b, ": %d done, %d failed, %d not tried", done, failed, skipped)
	if unverified > 0 {
		fmt.Fprintf(&b, ", %d written but not verified", unverified)
	}
	for _, s := range e.Result.Steps {
		if s.Outcome == Failed || s.Outcome == Unverified {
			fmt.Fprintf(&b, "\n  %s: %s: %v", s.Step, s.Outcome, s.Err)
		}
	}
	return b.String()
}

// Unwrap returns the cause of the interrupt and the context's error
// (context.Canceled or context.DeadlineExceeded), if any, and the error of
// each failed or unverified step.
func (e *ApplyError) Unwrap() []error {
	var out []error
	if e.Interrupted != nil {
		out = append(out, e.Interrupted)
	}
	if e.ctxErr != nil && e.ctxErr != e.Interrupted {
		out = append(out, e.ctxErr)
	}
	for _, s := range e.Result.Steps {
		if (s.Outcome == Failed || s.Outcome == Unverified) && s.Err != nil {
			out = append(out, s.Err)
		}
	}
	return out
}

// TargetError reports a saved plan made through another region or
// endpoint than the Reconciler applying it reaches: the same user pool ID
// there may be another pool. Nothing was sent.
type TargetError struct {
	// UserPoolID is the plan's user pool.
	UserPoolID string
	// Field is what differs: "region" or "endpoint".
	Field string
	// Planned is the plan's value; Found the Reconciler's.
	Planned, Found string
}

// Error names what differs and both values.
func (e *TargetError) Error() string {
	return fmt.Sprintf("reconcile: the plan for user pool %s was made for %s %s, and this apply reaches %s %s; apply it there, or make a new plan here",
		e.UserPoolID, e.Field, e.Planned, e.Field, e.Found)
}

// Is reports whether target is ErrTarget.
func (e *TargetError) Is(target error) bool { return target == ErrTarget }

// asValidation is errors.As into a *rserrors.ValidationError.
func asValidation(err error, ve **rserrors.ValidationError) bool {
	return err != nil && errors.As(err, ve)
}

// clientList names the app clients cs for a printed plan.
func clientList(cs []ClientRef) string {
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.String()
	}
	return "app client(s) " + strings.Join(names, ", ")
}
