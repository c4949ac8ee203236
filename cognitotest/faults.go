package cognitotest

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"
)

// ErrInvalidFault is wrapped by the errors of [Server.FailNext], [Server.AddFaultRule] and
// [Server.SetFaultRate] when a [Fault] could not be answered as an error: a Status outside 400 to
// 599 (so never a success), a Code that is not printable ASCII without spaces (it travels in a
// header), or a negative Delay; by those of FailNext and AddFaultRule for an operation the
// emulator does not serve (a fault that could never fire); and by those of AddFaultRule and
// SetFaultRate for a probability that is not a number from 0 to 1 (SetFaultRate clamps).
var ErrInvalidFault = errors.New("invalid fault")

// faultCodeRE matches the codes a Fault may answer: they travel in the X-Amzn-ErrorType header.
var faultCodeRE = regexp.MustCompile(`\A[\x21-\x7E]+\z`)

// check reports why f cannot be injected, wrapping ErrInvalidFault, or nil.
func (f Fault) check() error {
	switch {
	case f.Status != 0 && (f.Status < 400 || f.Status > 599):
		return fmt.Errorf("cognitotest: fault status %d: %w: an injected error must have a status from 400 to 599", f.Status, ErrInvalidFault)
	case f.Code != "" && !faultCodeRE.MatchString(f.Code):
		return fmt.Errorf("cognitotest: fault code %q: %w: want printable ASCII without spaces", shorten(f.Code), ErrInvalidFault)
	case f.Delay < 0:
		return fmt.Errorf("cognitotest: fault delay %v: %w: want 0 or more", f.Delay, ErrInvalidFault)
	}
	return nil
}

// A Fault is a failure the emulator injects into a call, chosen by [Server.FailNext] or
// [Server.SetFaultRate]. Its parts combine: Delay happens first; then, if Drop is set, the
// connection is closed without an answer; otherwise, if Code or Status is set, that error is
// answered; a Fault with none of Drop, Code and Status only delays the call. AfterWrite moves
// the failure after the operation has run against the store.
type Fault struct {
	// Code is the error code to answer, such as "TooManyRequestsException" or
	// "InternalErrorException"; any printable ASCII string without spaces is sent as is. "" with a Status of 500 or more means
	// "InternalErrorException", and with a Status from 400 to 499 "BadRequestException" (a code
	// Cognito does not use, which the SDK reports as a generic API error).
	Code string
	// Status is the HTTP status of the error, from 400 to 599; 0 means 500 for
	// "InternalErrorException" and 400 for any other code.
	Status int
	// Message is the error message; "" means a default one naming the fault.
	Message string
	// Delay is how long to wait before handling the call. The wait ends early, and nothing is
	// answered or applied, if the client gives up (its context ends) or the server closes.
	Delay time.Duration
	// Drop closes the connection without any answer (the client sees a transport error, which
	// the SDK retries).
	Drop bool
	// AfterWrite runs the operation against the store first and only then answers the fault or
	// drops the connection, so the client cannot tell whether its call took effect.
	AfterWrite bool
}

// withCode returns f with the code its Status implies when it names a status but no code, so
// that Fault{Status: 500} fails the call instead of doing nothing.
func (f Fault) withCode() Fault {
	switch {
	case f.Code != "":
	case f.Status >= 500:
		f.Code = "InternalErrorException"
	case f.Status >= 400:
		f.Code = "BadRequestException"
	}
	return f
}

func (f Fault) status() int {
	switch {
	case f.Status != 0:
		return f.Status
	case f.Code == "InternalErrorException":
		return 500
	default:
		return 400
	}
}

func (f Fault) message() string {
	switch {
	case f.Message != "":
		return f.Message
	case f.Code == "TooManyRequestsException":
		return "Too many requests"
	case f.Code == "InternalErrorException":
		return "Internal server error (injected fault)"
	default:
		return "Injected fault " + f.Code
	}
}

// pendingFault is a FailNext entry.
type pendingFault struct {
	operation string
	left      int
	fault     Fault
}

// FailNext makes the next n calls of operation (such as "UpdateResourceServer"; "" for any
// operation) fail with f. An operation the emulator does not serve is refused (see
// [ErrInvalidFault]). Calls that the emulator refuses before it reads the operation's input
// (unknown operation, missing Authorization, unreadable body) do not count. Successive FailNext
// calls queue up: a call takes the oldest entry that matches it. FailNext entries take precedence
// over [Server.SetFaultRate]. n below 1 does nothing. A Fault that could not be answered as an
// error (see [ErrInvalidFault]) is refused: FailNext returns an error wrapping ErrInvalidFault and
// queues nothing.
func (s *Server) FailNext(operation string, n int, f Fault) error {
	if err := checkOperation(operation); err != nil {
		return err
	}
	if err := f.check(); err != nil {
		return err
	}
	if n < 1 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = append(s.failNext, &pendingFault{operation: operation, left: n, fault: f.withCode()})
	return nil
}

// SetFaultRate makes each call fail, independently, with probability fraction (clamped to
// [0, 1]), with a fault chosen uniformly among faults; with no faults given, the fault is
// InternalErrorException (500). SetFaultRate(0) turns random faults off. The draws come from the
// emulator's random source, which [WithSeed] makes repeatable. A fraction that is not a number, or
// a Fault that could not be answered as an error (see [ErrInvalidFault]), is refused: SetFaultRate
// returns an error wrapping ErrInvalidFault and changes nothing.
func (s *Server) SetFaultRate(fraction float64, faults ...Fault) error {
	if math.IsNaN(fraction) {
		return fmt.Errorf("cognitotest: fault rate NaN: %w: want a fraction from 0 to 1", ErrInvalidFault)
	}
	for _, f := range faults {
		if err := f.check(); err != nil {
			return err
		}
	}
	fraction = min(max(fraction, 0), 1)
	if len(faults) == 0 {
		faults = []Fault{{Code: "InternalErrorException"}}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faultRate = fraction
	s.faults = make([]Fault, len(faults))
	for i, f := range faults {
		s.faults[i] = f.withCode()
	}
	return nil
}

// ClearFaults forgets every pending [Server.FailNext] entry and every [Server.AddFaultRule] rule,
// and turns [Server.SetFaultRate] off.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = nil
	s.rules = nil
	s.faultRate = 0
	s.faults = nil
}

// takeFault picks the fault for a call of operation, if any.
func (s *Server) takeFault(operation string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, p := range s.failNext {
		if p.operation != "" && p.operation != operation {
			continue
		}
		p.left--
		if p.left == 0 {
			s.failNext = slices.Delete(s.failNext, i, i+1)
		}
		return p.fault, true
	}
	for _, r := range s.rules {
		if (r.Operation == "" || r.Operation == operation) && s.rng.Float64() < r.Probability {
			return r.Fault, true
		}
	}
	if s.faultRate > 0 && s.rng.Float64() < s.faultRate {
		return s.faults[s.rng.IntN(len(s.faults))], true
	}
	return Fault{}, false
}

// A FaultRule makes calls of one operation fail at random, as the cognito-emulator command's
// -fault flag does: each call of Operation fails with Fault with probability Probability.
type FaultRule struct {
	// Operation is the operation the rule applies to, such as "UpdateUserPoolClient"; "" means
	// every operation.
	Operation string
	// Probability is the chance, from 0 to 1, that a call fails.
	Probability float64
	// Fault is what a failing call gets.
	Fault Fault
}

// AddFaultRule adds r to the emulator's fault rules. A call that no [Server.FailNext] entry
// takes tries the rules in the order they were added, each matching rule drawing once from the
// emulator's random source ([WithSeed] makes the draws repeatable); the first that fires gives
// the fault, and if none does, [Server.SetFaultRate] may still. A rule for an operation the
// emulator does not serve, a Probability that is not a number from 0 to 1, or a Fault that could
// not be answered as an error is refused with an error wrapping [ErrInvalidFault], and nothing
// is added. [Server.ClearFaults] removes every rule.
func (s *Server) AddFaultRule(r FaultRule) error {
	if err := checkOperation(r.Operation); err != nil {
		return err
	}
	if !(r.Probability >= 0 && r.Probability <= 1) {
		return fmt.Errorf("cognitotest: fault probability %v: %w: want a number from 0 to 1", r.Probability, ErrInvalidFault)
	}
	if err := r.Fault.check(); err != nil {
		return err
	}
	r.Fault = r.Fault.withCode()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rules = append(s.rules, r)
	return nil
}

// Operations returns the names of the operations the emulator serves, sorted, such as
// "CreateResourceServer": those that [Server.FailNext] and [Server.AddFaultRule] accept.
func Operations() []string {
	names := make([]string, 0, len(operations))
	for name := range operations {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// checkOperation refuses, wrapping ErrInvalidFault, an operation name other than "" that the
// emulator does not serve.
func checkOperation(name string) error {
	if _, ok := operations[name]; ok || name == "" {
		return nil
	}
	return fmt.Errorf("cognitotest: operation %q: %w: the emulator serves only %s", shorten(name), ErrInvalidFault, strings.Join(Operations(), ", "))
}
