package cognitotest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"slices"
	"sort"
	"time"
)

// operation describes one supported cognito-idp operation.
type operation struct {
	members  []string
	category category
	// check returns the field-constraint violations of a request, in the model's member order.
	check func(*input) violations
	// run carries the operation out against the store; s.mu is held.
	run func(s *Server, in *input, now time.Time) (any, *apiError)
}

var operations = map[string]*operation{
	"CreateResourceServer": {
		members:  []string{mUserPoolID, mIdentifier, mName, mScopes},
		category: categoryUpdate,
		check:    checkServerInput,
		run:      (*Server).createResourceServer,
	},
	"DescribeResourceServer": {
		members:  []string{mUserPoolID, mIdentifier},
		category: categoryRead,
		check:    checkPoolAndIdentifier,
		run:      (*Server).describeResourceServer,
	},
	"UpdateResourceServer": {
		members:  []string{mUserPoolID, mIdentifier, mName, mScopes},
		category: categoryUpdate,
		check:    checkServerInput,
		run:      (*Server).updateResourceServer,
	},
	"DeleteResourceServer": {
		members:  []string{mUserPoolID, mIdentifier},
		category: categoryUpdate,
		check:    checkPoolAndIdentifier,
		run:      (*Server).deleteResourceServer,
	},
	"ListResourceServers": {
		members:  []string{mUserPoolID, mMaxResults, mNextToken},
		category: categoryRead,
		check: func(in *input) violations {
			var v violations
			v.add(checkRequired(in.UserPoolID, "userPoolId", 1, maxUserPoolIDLen, userPoolIDRE, userPoolIDPattern))
			v.add(checkMaxResults(in.MaxResults, maxListServers, false))
			v.add(checkNextToken(in.NextToken))
			return v
		},
		run: (*Server).listResourceServers,
	},
	"CreateUserPool": {
		members: []string{mPoolName},
		check: func(in *input) violations {
			return checkRequired(in.PoolName, "poolName", 1, maxPoolNameLen, nameRE, namePattern)
		},
		run: (*Server).createUserPool,
	},
	"DescribeUserPool": {
		members: []string{mUserPoolID},
		check:   checkPoolOnly,
		run:     (*Server).describeUserPool,
	},
	"DeleteUserPool": {
		members: []string{mUserPoolID},
		check:   checkPoolOnly,
		run:     (*Server).deleteUserPool,
	},
	"ListUserPools": {
		members: []string{mMaxResults, mNextToken},
		check: func(in *input) violations {
			var v violations
			v.add(checkNextToken(in.NextToken))
			v.add(checkMaxResults(in.MaxResults, maxListPools, true))
			return v
		},
		run: (*Server).listUserPools,
	},
}

func checkPoolOnly(in *input) violations {
	return checkRequired(in.UserPoolID, "userPoolId", 1, maxUserPoolIDLen, userPoolIDRE, userPoolIDPattern)
}

func checkPoolAndIdentifier(in *input) violations {
	var v violations
	v.add(checkRequired(in.UserPoolID, "userPoolId", 1, maxUserPoolIDLen, userPoolIDRE, userPoolIDPattern))
	v.add(checkRequired(in.Identifier, "identifier", 1, maxIdentifierLen, identifierRE, identifierPattern))
	return v
}

// Response shapes, as the SDK's deserializers read them.
type (
	wireResourceServer struct {
		UserPoolID string      `json:"UserPoolId"`
		Identifier string      `json:"Identifier"`
		Name       string      `json:"Name"`
		Scopes     []wireScope `json:"Scopes,omitempty"`
	}
	resourceServerOutput struct {
		ResourceServer wireResourceServer `json:"ResourceServer"`
	}
	listResourceServersOutput struct {
		ResourceServers []wireResourceServer `json:"ResourceServers"`
		NextToken       string               `json:"NextToken,omitempty"`
	}
	wireUserPool struct {
		ID               string  `json:"Id"`
		Name             string  `json:"Name"`
		CreationDate     float64 `json:"CreationDate"`
		LastModifiedDate float64 `json:"LastModifiedDate"`
	}
	userPoolOutput struct {
		UserPool wireUserPool `json:"UserPool"`
	}
	listUserPoolsOutput struct {
		UserPools []wireUserPool `json:"UserPools"`
		NextToken string         `json:"NextToken,omitempty"`
	}
	emptyOutput struct{}
)

func toWireServer(rs *ResourceServer) wireResourceServer {
	out := wireResourceServer{UserPoolID: rs.UserPoolID, Identifier: rs.Identifier, Name: rs.Name}
	for _, sc := range rs.Scopes {
		out.Scopes = append(out.Scopes, wireScope{ScopeName: &sc.Name, ScopeDescription: &sc.Description})
	}
	return out
}

// epochSeconds renders a time as the protocol's epoch-seconds number, to the millisecond.
func epochSeconds(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

func toWirePool(p *pool) wireUserPool {
	return wireUserPool{ID: p.id, Name: p.name, CreationDate: epochSeconds(p.created), LastModifiedDate: epochSeconds(p.modified)}
}

// fromWire converts a validated request's members into a stored server.
func fromWire(in *input) *ResourceServer {
	rs := &ResourceServer{UserPoolID: *in.UserPoolID, Identifier: *in.Identifier, Name: *in.Name}
	for _, sc := range in.Scopes {
		rs.Scopes = append(rs.Scopes, Scope{Name: *sc.ScopeName, Description: *sc.ScopeDescription})
	}
	return rs
}

func (s *Server) poolLocked(id string) (*pool, *apiError) {
	p, ok := s.pools[id]
	if !ok {
		return nil, errorf(codeResourceNotFound, "User pool %s does not exist.", id)
	}
	return p, nil
}

func (s *Server) serverLocked(poolID, identifier string) (*pool, *ResourceServer, *apiError) {
	p, e := s.poolLocked(poolID)
	if e != nil {
		return nil, nil, e
	}
	rs, ok := p.servers[identifier]
	if !ok {
		return nil, nil, errorf(codeResourceNotFound, "Resource server %s does not exist.", identifier)
	}
	return p, rs, nil
}

// createResourceServer adds a server: the pool must exist, the identifier must be free, and the
// pool must hold fewer servers than its quota (checked in that order).
func (s *Server) createResourceServer(in *input, _ time.Time) (any, *apiError) {
	p, e := s.poolLocked(*in.UserPoolID)
	if e != nil {
		return nil, e
	}
	if _, taken := p.servers[*in.Identifier]; taken {
		return nil, errorf(codeInvalidParameter, "%s already exists in user pool %s.", *in.Identifier, p.id)
	}
	if len(p.servers) >= s.cfg.maxResourceServers {
		return nil, errorf(codeLimitExceeded, "Exceeded the maximum number of resource servers (%d) for user pool %s.", s.cfg.maxResourceServers, p.id)
	}
	rs := fromWire(in)
	p.servers[rs.Identifier] = rs
	return resourceServerOutput{ResourceServer: toWireServer(rs)}, nil
}

func (s *Server) describeResourceServer(in *input, _ time.Time) (any, *apiError) {
	_, rs, e := s.serverLocked(*in.UserPoolID, *in.Identifier)
	if e != nil {
		return nil, e
	}
	return resourceServerOutput{ResourceServer: toWireServer(rs)}, nil
}

// updateResourceServer replaces the server's Name and Scopes with the request's, as the service
// does: scopes left out of the request are deleted.
func (s *Server) updateResourceServer(in *input, _ time.Time) (any, *apiError) {
	p, _, e := s.serverLocked(*in.UserPoolID, *in.Identifier)
	if e != nil {
		return nil, e
	}
	rs := fromWire(in)
	p.servers[rs.Identifier] = rs
	return resourceServerOutput{ResourceServer: toWireServer(rs)}, nil
}

func (s *Server) deleteResourceServer(in *input, _ time.Time) (any, *apiError) {
	p, _, e := s.serverLocked(*in.UserPoolID, *in.Identifier)
	if e != nil {
		return nil, e
	}
	delete(p.servers, *in.Identifier)
	return emptyOutput{}, nil
}

func (s *Server) listResourceServers(in *input, _ time.Time) (any, *apiError) {
	p, e := s.poolLocked(*in.UserPoolID)
	if e != nil {
		return nil, e
	}
	limit := defaultListServers
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
	}
	page, next, e := s.paginate(p.sortedIdentifiers(), "rs:"+p.id, in.NextToken, limit)
	if e != nil {
		return nil, e
	}
	out := listResourceServersOutput{ResourceServers: []wireResourceServer{}, NextToken: next}
	for _, id := range page {
		out.ResourceServers = append(out.ResourceServers, toWireServer(p.servers[id]))
	}
	return out, nil
}

func (s *Server) createUserPool(in *input, now time.Time) (any, *apiError) {
	p := s.createPoolLocked(*in.PoolName, now)
	return userPoolOutput{UserPool: toWirePool(p)}, nil
}

func (s *Server) describeUserPool(in *input, _ time.Time) (any, *apiError) {
	p, e := s.poolLocked(*in.UserPoolID)
	if e != nil {
		return nil, e
	}
	return userPoolOutput{UserPool: toWirePool(p)}, nil
}

// deleteUserPool removes a pool with all its resource servers.
func (s *Server) deleteUserPool(in *input, _ time.Time) (any, *apiError) {
	if _, e := s.poolLocked(*in.UserPoolID); e != nil {
		return nil, e
	}
	delete(s.pools, *in.UserPoolID)
	return emptyOutput{}, nil
}

func (s *Server) listUserPools(in *input, _ time.Time) (any, *apiError) {
	ids := make([]string, 0, len(s.pools))
	for id := range s.pools {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	page, next, e := s.paginate(ids, "up:", in.NextToken, int(*in.MaxResults))
	if e != nil {
		return nil, e
	}
	out := listUserPoolsOutput{UserPools: []wireUserPool{}, NextToken: next}
	for _, id := range page {
		out.UserPools = append(out.UserPools, toWirePool(s.pools[id]))
	}
	return out, nil
}

// paginate returns the page of sorted keys that follows the one named by token, at most limit
// long, and the token of the next page ("" on the last page). A token carries the last key of its
// page, so it stays valid while keys are added and removed, sealed with an HMAC-SHA256 under the
// server's random key over list + "\n" + that key: a token the server did not issue for this
// list (another list, another pool, or one made up) is refused with InvalidParameterException.
func (s *Server) paginate(keys []string, list string, token *string, limit int) (page []string, next string, e *apiError) {
	start := 0
	if token != nil {
		after, ok := s.openToken(list, *token)
		if !ok {
			return nil, "", errorf(codeInvalidParameter, "Invalid pagination token: %s", shorten(*token))
		}
		start = sort.Search(len(keys), func(i int) bool { return keys[i] > after })
	}
	end := min(start+limit, len(keys))
	page = keys[start:end]
	if end < len(keys) {
		next = s.sealToken(list, keys[end-1])
	}
	return page, next, nil
}

// tokenMACSize is how many bytes of the HMAC a page token carries.
const tokenMACSize = 16

// sealToken returns the page token for key in list: base64url(mac || key).
func (s *Server) sealToken(list, key string) string {
	b := append(s.tokenMAC(list, key), key...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// openToken returns the key a token of list carries, if the server issued it for that list.
func (s *Server) openToken(list, token string) (string, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) < tokenMACSize {
		return "", false
	}
	key := string(raw[tokenMACSize:])
	if !hmac.Equal(raw[:tokenMACSize], s.tokenMAC(list, key)) {
		return "", false
	}
	return key, true
}

func (s *Server) tokenMAC(list, key string) []byte {
	m := hmac.New(sha256.New, s.tokenKey[:])
	m.Write([]byte(list))
	m.Write([]byte{'\n'})
	m.Write([]byte(key))
	return m.Sum(nil)[:tokenMACSize]
}
