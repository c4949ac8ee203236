package cognitotest

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// serveHTTP answers one request. The steps, in order, each of which may end the request:
//
//  0. the Host header names a loopback host, else AccessDeniedException (403), unless
//     WithHostCheck(false);
//  1. method POST and path "/", else UnknownOperationException (405 or 404);
//  2. X-Amz-Target names a supported operation, else UnknownOperationException;
//  3. an Authorization header starting with AWS4-HMAC-SHA256, else NotAuthorizedException;
//  4. the body is at most 1 MiB of valid UTF-8 without a \u escape of an unpaired surrogate, and
//     one JSON object whose known members have the right types, else SerializationException;
//  5. an injected fault (FailNext first, then AddFaultRule, then SetFaultRate): its Delay, then its error or drop,
//     unless it is AfterWrite;
//  6. the rate quotas, per pool then per account, else TooManyRequestsException;
//  7. the field constraints, all violations in one InvalidParameterException (the first 10
//     spelled out), then the duplicate-scope check;
//  8. the operation against the store, under the store's lock: pool existence
//     (ResourceNotFoundException), server or app-client existence or server duplication, the
//     app-client rules (ScopeDoesNotExistException, InvalidOAuthFlowException,
//     InvalidParameterException), the servers- or clients-per-pool quota
//     (LimitExceededException), the page token;
//  9. an AfterWrite fault replaces the answer of step 8.
//
// Every answer carries a fresh X-Amzn-Requestid, and every request is logged (the log keeps the
// last WithRequestLogSize entries).
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.enter() {
		abort(w)
		return
	}
	defer s.handlers.Done()
	seq, epoch := s.arrive()
	w.Header().Set("X-Amzn-Requestid", newRequestID())
	var rec Request
	out := s.handle(w, r, &rec)
	// The request is logged before the client can see any of its answer, so a client that has
	// returned always finds its calls in Requests.
	if out.drop && !canDrop(w) {
		// A connection that cannot be taken over is answered with an internal error instead.
		e := errorf(codeInternalError, "Injected fault: the connection could not be dropped")
		rec.Status, rec.Code, rec.Message = e.status, e.code, e.message
		out = failure(e)
	}
	s.record(seq, epoch, rec)
	send(w, out)
}

// handle works out the reply to a request and fills in its log entry.
func (s *Server) handle(w http.ResponseWriter, r *http.Request, rec *Request) reply {
	fail := func(e *apiError) reply {
		rec.Status, rec.Code, rec.Message = e.status, e.code, e.message
		return failure(e)
	}
	target := shorten(r.Header.Get("X-Amz-Target"))
	name, known := operationName(target)
	rec.Operation = name
	if _, inProcess := w.(*memWriter); s.cfg.hostCheck && !inProcess && !loopbackHost(r.Host) {
		e := errorf(codeAccessDenied, "Host %q is not a loopback name or address: the emulator answers only requests for localhost, 127.0.0.0/8 or [::1], with or without a port (a defence against DNS rebinding)", shorten(r.Host))
		e.status = http.StatusForbidden
		return fail(e)
	}
	switch {
	case r.Method != http.MethodPost:
		e := errorf(codeUnknownOperation, "Method %s is not supported: the service accepts POST / only", shorten(r.Method))
		e.status = http.StatusMethodNotAllowed
		return fail(e)
	case r.URL.Path != "/":
		e := errorf(codeUnknownOperation, "Path %s is not supported: the service accepts POST / only", shorten(r.URL.Path))
		e.status = http.StatusNotFound
		return fail(e)
	}
	op, ok := operations[name]
	if !known || !ok {
		return fail(errorf(codeUnknownOperation, "Unknown operation: X-Amz-Target %q is not a supported %s<Operation>", target, targetPrefix))
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256") {
		return fail(errorf(codeNotAuthorized, "The request has no AWS Signature Version 4 Authorization header"))
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if tooLarge := (*http.MaxBytesError)(nil); errors.As(err, &tooLarge) {
		return fail(errorf(codeSerialization, "The request body is larger than %d bytes", maxBody))
	} else if err != nil {
		return fail(errorf(codeSerialization, "Unable to read the request body: %s", shorten(err.Error())))
	}
	if e := checkText(body); e != nil {
		return fail(e)
	}
	in, e := parseInput(body, op.members)
	if e != nil {
		return fail(e)
	}
	if in.UserPoolID != nil {
		rec.UserPoolID = shorten(*in.UserPoolID)
	}
	if in.Identifier != nil {
		rec.Identifier = shorten(*in.Identifier)
	}
	if in.ClientID != nil {
		rec.ClientID = shorten(*in.ClientID)
	}

	fault, faulted := s.takeFault(name)
	if faulted && fault.Delay > 0 && !s.sleep(r.Context(), fault.Delay) {
		rec.Injected = true
		return reply{drop: true}
	}
	fails := faulted && (fault.Drop || fault.Code != "")
	if fails && !fault.AfterWrite {
		return injected(fault, rec)
	}
	out, e := s.run(op, in)
	rec.Applied = e == nil
	if fails {
		return injected(fault, rec)
	}
	if e != nil {
		return fail(e)
	}
	rec.Status = http.StatusOK
	return success(out)
}

// run carries out steps 6 to 8 of serveHTTP.
func (s *Server) run(op *operation, in *input) (any, *apiError) {
	now := s.cfg.clock.Now()
	poolID := ""
	if in.UserPoolID != nil {
		poolID = *in.UserPoolID
	}
	if e := s.allow(op.category, poolID, now); e != nil {
		return nil, e
	}
	if msg := op.check(in).message(); msg != "" {
		return nil, errorf(codeInvalidParameter, "%s", msg)
	}
	if msg := duplicateScopeNames(in.Scopes); msg != "" {
		return nil, errorf(codeInvalidParameter, "%s", msg)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return op.run(s, in, now)
}

// sleep waits for d; it reports false if ctx ends or the server closes first.
func (s *Server) sleep(ctx context.Context, d time.Duration) bool {
	select {
	case <-s.cfg.clock.After(d):
		return true
	case <-ctx.Done():
		return false
	case <-s.closing:
		return false
	}
}

// injected is the reply of fault f: a drop or f's error.
func injected(f Fault, rec *Request) reply {
	rec.Injected = true
	if f.Drop {
		return reply{drop: true}
	}
	e := &apiError{status: f.status(), code: f.Code, message: f.message()}
	rec.Status, rec.Code, rec.Message = e.status, e.code, e.message
	return failure(e)
}

// loopbackHost reports whether a Host header names localhost or a loopback address, with or
// without a port.
func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	} else if strings.HasPrefix(hostport, "[") && strings.HasSuffix(hostport, "]") {
		host = hostport[1 : len(hostport)-1]
	}
	if strings.EqualFold(host, "localhost") || strings.EqualFold(host, "localhost.") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
