package cognitotest

import (
	"slices"
)

// Request is one entry of the emulator's request log: every HTTP request the emulator received,
// including refused, throttled and faulted ones, but not the calls of the Go methods that bypass
// the wire ([Server.CreateUserPool], [Server.PutResourceServer] and the like). Its strings are
// shortened like the values quoted in error messages: at most 512 code points, then
// "... (N characters)".
type Request struct {
	// Operation is the operation named by the X-Amz-Target header, such as
	// "CreateResourceServer"; for an unknown operation the target's text after the last '.'.
	Operation string
	// UserPoolID is the UserPoolId member of the request body, "" if absent or unreadable.
	UserPoolID string
	// Identifier is the Identifier member of the request body, "" if absent or unreadable.
	Identifier string
	// ClientID is the ClientId member of the request body, "" if absent or unreadable.
	ClientID string
	// Status is the HTTP status of the answer; 0 when no answer was sent (a [Fault] with Drop,
	// or a client that went away, or a server that closed, during a Delay).
	Status int
	// Code is the error code answered, such as "ResourceNotFoundException"; "" on success and
	// when no answer was sent.
	Code string
	// Message is the error message answered, "" on success.
	Message string
	// Applied reports whether the operation itself succeeded against the store, even if the
	// answer was then replaced by an AfterWrite [Fault].
	Applied bool
	// Injected reports whether the answer (or the lack of one) came from a [Fault].
	Injected bool
}

// logEntry is a finished request with its arrival number.
type logEntry struct {
	seq uint64
	req Request
}

// arrive numbers a request on arrival.
func (s *Server) arrive() (seq, epoch uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	return s.seq, s.epoch
}

// record adds a finished request to the log at its arrival position, unless the log was reset
// after it arrived.
func (s *Server) record(seq, epoch uint64, r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if epoch != s.epoch {
		return
	}
	r.Message = shorten(r.Message)
	i, _ := slices.BinarySearchFunc(s.log, seq, func(e logEntry, seq uint64) int {
		switch {
		case e.seq < seq:
			return -1
		case e.seq > seq:
			return 1
		}
		return 0
	})
	s.log = slices.Insert(s.log, i, logEntry{seq: seq, req: r})
	if over := len(s.log) - s.cfg.requestLog; over > 0 {
		clear(s.log[:over])
		s.log = s.log[over:]
	}
}

// Requests returns a copy of the request log in arrival order. A request appears once it has been
// answered (or dropped), so a call made by a client that has returned is always there. The log
// keeps the last [DefaultRequestLogSize] requests unless [WithRequestLogSize] says otherwise;
// older ones are forgotten, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.log))
	for i, e := range s.log {
		out[i] = e.req
	}
	return out
}

// ResetRequests empties the request log; requests that arrived before it and are still being
// handled are not logged either.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = nil
	s.epoch++
}
