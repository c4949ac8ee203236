package cognitotest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// targetPrefix is the X-Amz-Target prefix of the cognito-idp service.
const targetPrefix = "AWSCognitoIdentityProviderService."

// maxBody is the largest request body the emulator reads.
const maxBody = 1 << 20

// Error codes the emulator answers.
const (
	codeInvalidParameter = "InvalidParameterException"
	codeResourceNotFound = "ResourceNotFoundException"
	codeNotAuthorized    = "NotAuthorizedException"
	codeTooManyRequests  = "TooManyRequestsException"
	codeLimitExceeded    = "LimitExceededException"
	codeUnknownOperation = "UnknownOperationException"
	codeSerialization    = "SerializationException"
	codeInternalError    = "InternalErrorException"
	codeAccessDenied     = "AccessDeniedException"
)

// apiError is an error answer.
type apiError struct {
	status  int
	code    string
	message string
}

func errorf(code, format string, args ...any) *apiError {
	status := http.StatusBadRequest
	if code == codeInternalError {
		status = http.StatusInternalServerError
	}
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

// wireScope is a ResourceServerScopeType on the wire.
type wireScope struct {
	ScopeName        *string `json:"ScopeName,omitempty"`
	ScopeDescription *string `json:"ScopeDescription,omitempty"`
}

// input holds the request members the emulator reads; nil means absent or null.
type input struct {
	UserPoolID *string
	Identifier *string
	Name       *string
	Scopes     []*wireScope
	MaxResults *int32
	NextToken  *string
	PoolName   *string
	ClientID   *string
	Client     *clientInput // the app-client members of CreateUserPoolClient and UpdateUserPoolClient
}

// member names, as the model spells them (JSON member names are case-sensitive on the wire).
const (
	mUserPoolID = "UserPoolId"
	mIdentifier = "Identifier"
	mName       = "Name"
	mScopes     = "Scopes"
	mMaxResults = "MaxResults"
	mNextToken  = "NextToken"
	mPoolName   = "PoolName"
	mClientID   = "ClientId"
	// mClient stands for every member of clientInput, mClientUpdate for those of
	// UpdateUserPoolClient: all but GenerateSecret and ClientSecret, which the service ignores
	// there as it ignores any member it does not know.
	mClient       = "*client"
	mClientUpdate = "*client-update"
)

// parseInput decodes a JSON object body, reading only the given members; other members are
// ignored, as the service ignores members it does not know. It answers SerializationException
// for a body that is not a single JSON object or a member of the wrong type.
func parseInput(body []byte, members []string) (*input, *apiError) {
	var obj map[string]json.RawMessage
	if err := decodeStrict(body, &obj); err != nil {
		return nil, errorf(codeSerialization, "Unable to parse the request body as a JSON object: %s", shorten(err.Error()))
	}
	if obj == nil {
		return nil, errorf(codeSerialization, "The request body must be a JSON object, not null")
	}
	in := &input{}
	for _, m := range members {
		if m == mClient || m == mClientUpdate {
			if m == mClientUpdate {
				delete(obj, "GenerateSecret")
				delete(obj, "ClientSecret")
			}
			in.Client = &clientInput{}
			if e := decodeMembers(obj, "", in.Client); e != nil {
				return nil, e
			}
			continue
		}
		raw, ok := obj[m]
		if !ok || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			continue
		}
		var err error
		switch m {
		case mUserPoolID:
			err = json.Unmarshal(raw, &in.UserPoolID)
		case mIdentifier:
			err = json.Unmarshal(raw, &in.Identifier)
		case mName:
			err = json.Unmarshal(raw, &in.Name)
		case mNextToken:
			err = json.Unmarshal(raw, &in.NextToken)
		case mPoolName:
			err = json.Unmarshal(raw, &in.PoolName)
		case mClientID:
			err = json.Unmarshal(raw, &in.ClientID)
		case mMaxResults:
			err = json.Unmarshal(raw, &in.MaxResults)
		case mScopes:
			in.Scopes, err = parseScopes(raw)
		}
		if err != nil {
			return nil, errorf(codeSerialization, "Member %s has the wrong type: %s", m, shorten(err.Error()))
		}
	}
	return in, nil
}

// parseScopes decodes a Scopes list, with its members' exact names (encoding/json would match
// struct fields case-insensitively), in one pass over the list.
func parseScopes(raw json.RawMessage) ([]*wireScope, error) {
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, err
	}
	out := make([]*wireScope, len(items))
	for i, obj := range items {
		if obj == nil {
			continue
		}
		sc := &wireScope{}
		for _, m := range [...]struct {
			name string
			dst  **string
		}{{"ScopeName", &sc.ScopeName}, {"ScopeDescription", &sc.ScopeDescription}} {
			if v, ok := obj[m.name]; ok {
				if err := json.Unmarshal(v, m.dst); err != nil {
					return nil, fmt.Errorf("scope %d: %s: %w", i+1, m.name, err)
				}
			}
		}
		out[i] = sc
	}
	return out, nil
}

// checkText answers SerializationException for a body that is not valid UTF-8, or that holds a
// \u escape of a UTF-16 surrogate that is not part of a pair: encoding/json would turn either
// into U+FFFD, and the emulator must never store a value other than the one sent.
func checkText(body []byte) *apiError {
	if !utf8.Valid(body) {
		return errorf(codeSerialization, "The request body is not valid UTF-8")
	}
	for i := 0; i < len(body); i++ {
		if body[i] != '\\' {
			continue
		}
		i++ // the escaped byte; a backslash outside a string is a JSON syntax error anyway
		if i >= len(body) || body[i] != 'u' {
			continue
		}
		r, ok := hex4(body[i+1:])
		if !ok {
			continue // a malformed escape: the JSON decoder reports it
		}
		i += 4
		switch {
		case r >= 0xDC00 && r <= 0xDFFF:
			return errorf(codeSerialization, "The request body holds a lone UTF-16 low surrogate \\u%04X", r)
		case r >= 0xD800 && r <= 0xDBFF:
			if i+2 >= len(body) || body[i+1] != '\\' || body[i+2] != 'u' {
				return errorf(codeSerialization, "The request body holds a lone UTF-16 high surrogate \\u%04X", r)
			}
			low, ok := hex4(body[i+3:])
			if !ok || low < 0xDC00 || low > 0xDFFF {
				return errorf(codeSerialization, "The request body holds a lone UTF-16 high surrogate \\u%04X", r)
			}
			i += 6
		}
	}
	return nil
}

// hex4 decodes the four hexadecimal digits at the start of b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	return r, true
}

// decodeStrict decodes exactly one JSON value from body.
func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}

// newRequestID returns a random id in the form of a UUID (version 4).
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// reply is what a request gets: an answer, or (drop) a connection closed without one.
type reply struct {
	drop   bool
	status int
	code   string // error code, "" on success
	body   []byte
}

// success is a 200 answer with v as the body.
func success(v any) reply {
	body, err := json.Marshal(v)
	if err != nil {
		return failure(errorf(codeInternalError, "Unable to encode the response"))
	}
	return reply{status: http.StatusOK, body: body}
}

// failure is e in the awsJson1_1 error shape: {"__type": code, "message": text}.
func failure(e *apiError) reply {
	body, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{e.code, e.message})
	return reply{status: e.status, code: e.code, body: body}
}

// send writes r, or closes the connection without an answer if r.drop is set. An error answer
// also carries its code in the X-Amzn-ErrorType header.
func send(w http.ResponseWriter, r reply) {
	if r.drop {
		abort(w)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-1.1")
	h.Set("Content-Length", strconv.Itoa(len(r.body)))
	if r.code != "" {
		h.Set("X-Amzn-ErrorType", r.code)
	}
	w.WriteHeader(r.status)
	_, _ = w.Write(r.body)
}

// abort closes the request's connection without an answer (for the in-process transport: marks
// the call dropped). A ResponseWriter that cannot give up its connection (see canDrop) is left
// alone: serveHTTP answers an error instead.
func abort(w http.ResponseWriter) {
	if m, ok := w.(*memWriter); ok {
		m.dropped = true
		return
	}
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
		}
	}
}

// operationName extracts the operation from an X-Amz-Target header; ok is false if the header
// is missing or does not name the cognito-idp service.
func operationName(target string) (op string, ok bool) {
	if rest, found := strings.CutPrefix(target, targetPrefix); found && rest != "" {
		return rest, true
	}
	if i := strings.LastIndexByte(target, '.'); i >= 0 {
		return target[i+1:], false
	}
	return target, false
}

// canDrop reports whether abort can end w's call without an answer.
func canDrop(w http.ResponseWriter) bool {
	switch w.(type) {
	case *memWriter, http.Hijacker:
		return true
	}
	return false
}
