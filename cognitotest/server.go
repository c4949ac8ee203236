package cognitotest

import (
	"bytes"
	crand "crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// ErrInvalidParameter is wrapped by the errors of [Server.AddUserPool] and
// [Server.PutResourceServer] when a value breaks one of Cognito's constraints (the error's text
// holds Cognito's validation message), and by that of [NewServerAt] for a region given to
// [WithRegion] that cannot prefix a user pool id.
var ErrInvalidParameter = errors.New("invalid parameter")

// ErrUserPoolExists is wrapped by the error of [Server.AddUserPool] when the pool id is taken.
var ErrUserPoolExists = errors.New("user pool already exists")

// ErrNotLoopback is wrapped by the error of [NewServerAt] when the address names a host that
// is not a loopback address: the emulator never serves on another interface.
var ErrNotLoopback = errors.New("not a loopback address")

// ErrUserPoolNotFound is wrapped by the error of [Server.PutResourceServer] when the pool does
// not exist.
var ErrUserPoolNotFound = errors.New("user pool does not exist")

// regionRE matches the regions WithRegion accepts: they must fit the [\w-]+ before the '_' of
// a user pool id, and leave room in its 55 characters for the '_' and 9 more.
var regionRE = regexp.MustCompile(`\A[A-Za-z0-9-]{1,45}\z`)

// A Server is a local emulator of the resource-server and app-client operations of Amazon
// Cognito user pools (cognito-idp), speaking the awsJson1_1 protocol over HTTP on a loopback address. Create it with
// [NewServer] or [NewServerAt] and stop it with [Server.Close]. All methods are safe for
// concurrent use.
type Server struct {
	// URL is the base URL of the emulator, "http://127.0.0.1:PORT", to be used as an SDK
	// client's BaseEndpoint (or the --endpoint-url of the AWS CLI).
	URL string

	cfg      config
	http     *http.Server  // nil for NewInProcessServer
	closing  chan struct{} // closed by Close, ends Fault delays
	serveErr chan error    // the result of http.Server.Serve
	once     sync.Once     // makes Close idempotent
	handlers sync.WaitGroup

	// mu guards everything below; it is held for the whole of each operation on the store,
	// which makes every write atomic. handlers.Add is called under it, only while !closed.
	mu        sync.Mutex
	closed    bool
	pools     map[string]*pool
	rng       *rand.Rand
	buckets   map[bucketKey]*bucket
	log       []logEntry
	seq       uint64
	epoch     uint64
	tokenKey  [32]byte // seals page tokens (see paginate)
	failNext  []*pendingFault
	rules     []FaultRule
	faultRate float64
	faults    []Fault
}

// pool is a stored user pool.
type pool struct {
	id       string
	name     string
	created  time.Time
	modified time.Time
	servers  map[string]*ResourceServer
	clients  map[string]*types.UserPoolClientType // by ClientId
}

// ResourceServer is a resource server as the emulator stores it; [Server.ResourceServer] returns
// a deep copy of one.
type ResourceServer struct {
	// UserPoolID is the id of the user pool that holds the server.
	UserPoolID string
	// Identifier is the server's unique identifier within the pool, usually a URL.
	Identifier string
	// Name is the server's friendly name.
	Name string
	// Scopes are the server's scopes in the order they were last sent; nil when it has none.
	Scopes []Scope
}

// Scope is a scope of a resource server.
type Scope struct {
	// Name is the scope's name (ScopeName on the wire).
	Name string
	// Description is the scope's description (ScopeDescription on the wire).
	Description string
}

func (rs ResourceServer) clone() ResourceServer {
	rs.Scopes = slices.Clone(rs.Scopes)
	if len(rs.Scopes) == 0 {
		rs.Scopes = nil
	}
	return rs
}

// NewServer starts an emulator on 127.0.0.1 with a port chosen by the system, like
// httptest.NewServer, and panics if it cannot listen. The server holds no user pools until
// [Server.CreateUserPool], [Server.AddUserPool] or a CreateUserPool call adds one.
func NewServer(opts ...Option) *Server {
	s, err := NewServerAt("127.0.0.1:0", opts...)
	if err != nil {
		panic(fmt.Sprintf("cognitotest: failed to listen on a port: %v", err))
	}
	return s
}

// NewServerAt starts an emulator listening on addr, a "host:port" whose host must be a loopback
// address (127.0.0.0/8, ::1 or "localhost", which means 127.0.0.1); port 0 lets the system pick
// one, which [Server.URL] then reports. It is what the cognito-emulator command uses. It returns
// an error if addr is malformed, if its host is empty or not loopback (wrapping
// [ErrNotLoopback]), if it cannot be listened on, or if the region of [WithRegion] is not made of
// letters, digits and '-' (wrapping [ErrInvalidParameter]).
func NewServerAt(addr string, opts ...Option) (*Server, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("cognitotest: address %q: %w", addr, err)
	}
	if strings.EqualFold(host, "localhost") {
		host = "127.0.0.1"
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("cognitotest: address %q: host %q must be 127.0.0.1, ::1 or localhost: %w", addr, host, ErrNotLoopback)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, port))
	if err != nil {
		return nil, fmt.Errorf("cognitotest: %w", err)
	}
	s, err := newServer("http://"+ln.Addr().String(), opts)
	if err != nil {
		_ = ln.Close()
		return nil, err
	}
	t := s.cfg.timeouts
	s.http = &http.Server{
		Handler:           http.HandlerFunc(s.serveHTTP),
		ReadHeaderTimeout: t.ReadHeader,
		ReadTimeout:       t.Read,
		IdleTimeout:       t.Idle,
	}
	go func() { s.serveErr <- s.http.Serve(ln) }()
	return s, nil
}

// newServer returns a Server with the given URL and options that serves nothing yet.
func newServer(url string, opts []Option) (*Server, error) {
	cfg := defaultConfig()
	for _, opt := range opts {
		if opt != nil {
			opt(&cfg)
		}
	}
	if !regionRE.MatchString(cfg.region) {
		return nil, fmt.Errorf("cognitotest: region %q: %w: want 1 to 45 letters, digits and '-'", cfg.region, ErrInvalidParameter)
	}
	s := &Server{
		URL:      url,
		cfg:      cfg,
		closing:  make(chan struct{}),
		serveErr: make(chan error, 1),
		pools:    make(map[string]*pool),
		rng:      cfg.rng(),
		buckets:  make(map[bucketKey]*bucket),
	}
	_, _ = crand.Read(s.tokenKey[:])
	return s, nil
}

// Close shuts the emulator down: it stops listening, closes every connection (requests waiting
// on a [Fault] Delay end at once) and returns when every handler has returned. It is safe to call
// more than once.
func (s *Server) Close() {
	s.once.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		close(s.closing)
		if s.http != nil {
			_ = s.http.Close()
			<-s.serveErr
		}
		s.handlers.Wait()
	})
}

// enter registers a handler; it reports false once Close has begun.
func (s *Server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.handlers.Add(1)
	return true
}

// Client returns a real Cognito client aimed at the emulator: BaseEndpoint is [Server.URL],
// the HTTP client is [Server.HTTPClient] for a server made by [NewInProcessServer] (and a real
// one otherwise), credentials are static, the region is the server's ([WithRegion], default "us-east-1"), and the
// retryer is the SDK's standard one (3 attempts, the same retryable and throttle codes) with no
// backoff delay and no retry token quota, so that tests of faults stay fast. Its HTTP client
// hands net/http a copy of each request body ([BufferBodies]), so every call the caller makes
// is exactly one request in [Server.Requests] unless the answer asks for a retry. optFns are
// applied last; set RetryMaxAttempts to 1 there, for instance, to make each call a single
// request.
func (s *Server) Client(optFns ...func(*cip.Options)) *cip.Client {
	var hc cip.HTTPClient = s.HTTPClient()
	if s.http != nil {
		hc = BufferBodies(awshttp.NewBuildableClient())
	}
	return cip.New(cip.Options{
		BaseEndpoint: aws.String(s.URL),
		Region:       s.cfg.region,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEMULATOR", "emulator-secret", ""),
		HTTPClient:   hc,
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
			o.RateLimiter = ratelimit.None
		}),
	}, optFns...)
}

// CreateUserPool adds a user pool directly, bypassing the log, faults and quotas, and returns its
// id: the region, "_", and 9 random letters and digits, as Cognito makes them. It panics if name
// breaks Cognito's PoolName constraints (1 to 128 characters of [\w\s+=,.@-]).
func (s *Server) CreateUserPool(name string) string {
	if v := checkPoolName(name); v.total > 0 {
		panic(fmt.Sprintf("cognitotest: CreateUserPool: %s", v.message()))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.createPoolLocked(name, s.cfg.clock.Now()).id
}

// AddUserPool adds a user pool with a chosen id, bypassing the log, faults and quotas. The id
// must satisfy Cognito's UserPoolId constraints (1 to 55 characters matching [\w-]+_[0-9a-zA-Z]+)
// and the name its PoolName constraints; otherwise the error wraps [ErrInvalidParameter]. If the
// id is taken the error wraps [ErrUserPoolExists].
func (s *Server) AddUserPool(id, name string) error {
	var v violations
	v.add(checkUserPoolID(id))
	v.add(checkPoolName(name))
	if v.total > 0 {
		return fmt.Errorf("cognitotest: add user pool %s: %w: %s", id, ErrInvalidParameter, v.message())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.pools[id]; ok {
		return fmt.Errorf("cognitotest: add user pool %s: %w", id, ErrUserPoolExists)
	}
	now := s.cfg.clock.Now()
	s.pools[id] = &pool{id: id, name: name, created: now, modified: now, servers: make(map[string]*ResourceServer), clients: make(map[string]*types.UserPoolClientType)}
	return nil
}

// ResourceServer returns a deep copy of the stored resource server, for assertions, bypassing the
// log, faults and quotas. It reports false if the pool or the server does not exist.
func (s *Server) ResourceServer(poolID, identifier string) (ResourceServer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.pools[poolID]
	if !ok {
		return ResourceServer{}, false
	}
	rs, ok := p.servers[identifier]
	if !ok {
		return ResourceServer{}, false
	}
	return rs.clone(), true
}

// ResourceServers returns deep copies of all resource servers of a pool sorted by identifier,
// bypassing the log, faults and quotas; nil if the pool does not exist or holds none.
func (s *Server) ResourceServers(poolID string) []ResourceServer {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.pools[poolID]
	if !ok {
		return nil
	}
	var out []ResourceServer
	for _, id := range p.sortedIdentifiers() {
		out = append(out, p.servers[id].clone())
	}
	return out
}

// PutResourceServer stores rs directly, creating the server or replacing it whole, bypassing the
// log, faults and quotas (including [WithMaxResourceServers]), so a test can set up a state. Its
// fields are checked against Cognito's constraints like a CreateResourceServer request; a
// violation gives an error wrapping [ErrInvalidParameter], and a missing pool one wrapping
// [ErrUserPoolNotFound].
func (s *Server) PutResourceServer(rs ResourceServer) error {
	v := checkServer(rs.UserPoolID, rs.Identifier, rs.Name, rs.Scopes)
	if msg := v.message(); msg != "" {
		return fmt.Errorf("cognitotest: put resource server %s/%s: %w: %s", rs.UserPoolID, rs.Identifier, ErrInvalidParameter, msg)
	}
	if msg := duplicateScope(rs.Scopes); msg != "" {
		return fmt.Errorf("cognitotest: put resource server %s/%s: %w: %s", rs.UserPoolID, rs.Identifier, ErrInvalidParameter, msg)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.pools[rs.UserPoolID]
	if !ok {
		return fmt.Errorf("cognitotest: put resource server %s/%s: %w", rs.UserPoolID, rs.Identifier, ErrUserPoolNotFound)
	}
	c := rs.clone()
	p.servers[rs.Identifier] = &c
	return nil
}

// createPoolLocked adds a pool with a fresh random id; s.mu must be held.
func (s *Server) createPoolLocked(name string, now time.Time) *pool {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	for {
		var b strings.Builder
		b.WriteString(s.cfg.region)
		b.WriteByte('_')
		for range 9 {
			b.WriteByte(alphabet[s.rng.IntN(len(alphabet))])
		}
		id := b.String()
		if _, taken := s.pools[id]; taken {
			continue
		}
		p := &pool{id: id, name: name, created: now, modified: now, servers: make(map[string]*ResourceServer), clients: make(map[string]*types.UserPoolClientType)}
		s.pools[id] = p
		return p
	}
}

func (p *pool) sortedIdentifiers() []string {
	ids := make([]string, 0, len(p.servers))
	for id := range p.servers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// BufferBodies returns an HTTP client for an SDK client's Options.HTTPClient that reads each
// request body into memory and hands next its own copy; it sends nothing itself. It works around
// a race between smithy-go and net/http that shows on loopback, worst under the race detector
// (aws/aws-sdk-go-v2 issue 2737): smithy-go closes the request body as soon as the response
// headers arrive, while net/http's write loop may still read it once more; that read fails,
// net/http closes the connection under the response, and the SDK retries the call ("use of
// closed network connection"), so the server sees one request more than the caller made. Use it
// for SDK clients of the emulator that a test builds itself when it counts requests; [Server.Client]
// already does. A body that cannot be read is returned as Do's error, and next is not called.
func BufferBodies(next cip.HTTPClient) cip.HTTPClient { return bufferedBody{next} }

// bufferedBody is the client of [BufferBodies].
type bufferedBody struct{ next cip.HTTPClient }

// Do sends r through next with its body read into memory first.
func (b bufferedBody) Do(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	return b.next.Do(r)
}
