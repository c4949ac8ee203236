package cognitotest

import (
	"cmp"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

func init() {
	poolAndClient := func(in *input) violations {
		var v violations
		v.add(checkRequired(in.UserPoolID, "userPoolId", 1, maxUserPoolIDLen, userPoolIDRE, userPoolIDPattern))
		v.add(checkRequired(in.ClientID, "clientId", 1, maxClientIDLen, clientIDRE, clientIDPattern))
		return v
	}
	operations["CreateUserPoolClient"] = &operation{
		members:  []string{mUserPoolID, mClient},
		category: categoryClientUpdate,
		check: func(in *input) violations {
			var v violations
			v.add(checkRequired(in.UserPoolID, "userPoolId", 1, maxUserPoolIDLen, userPoolIDRE, userPoolIDPattern))
			v.add(checkClientInput(in.Client, true))
			return v
		},
		run: (*Server).createUserPoolClient,
	}
	operations["DescribeUserPoolClient"] = &operation{
		members:  []string{mUserPoolID, mClientID},
		category: categoryClientRead,
		check:    poolAndClient,
		run:      (*Server).describeUserPoolClient,
	}
	operations["UpdateUserPoolClient"] = &operation{
		members:  []string{mUserPoolID, mClientID, mClientUpdate},
		category: categoryClientUpdate,
		check: func(in *input) violations {
			v := poolAndClient(in)
			v.add(checkClientInput(in.Client, false))
			return v
		},
		run: (*Server).updateUserPoolClient,
	}
	operations["DeleteUserPoolClient"] = &operation{
		members:  []string{mUserPoolID, mClientID},
		category: categoryClientUpdate,
		check:    poolAndClient,
		run:      (*Server).deleteUserPoolClient,
	}
	operations["ListUserPoolClients"] = &operation{
		members:  []string{mUserPoolID, mMaxResults, mNextToken},
		category: categoryClientRead,
		check: func(in *input) violations {
			var v violations
			v.add(checkRequired(in.UserPoolID, "userPoolId", 1, maxUserPoolIDLen, userPoolIDRE, userPoolIDPattern))
			v.add(checkMaxResults(in.MaxResults, maxListClients, false))
			v.add(checkNextToken(in.NextToken))
			return v
		},
		run: (*Server).listUserPoolClients,
	}
}

type (
	userPoolClientOutput struct {
		UserPoolClient wireClient `json:"UserPoolClient"`
	}
	wireClientDescription struct {
		ClientID   string `json:"ClientId"`
		UserPoolID string `json:"UserPoolId"`
		ClientName string `json:"ClientName"`
	}
	listUserPoolClientsOutput struct {
		UserPoolClients []wireClientDescription `json:"UserPoolClients"`
		NextToken       string                  `json:"NextToken,omitempty"`
	}
)

func (s *Server) clientLocked(poolID, clientID string) (*pool, *types.UserPoolClientType, *apiError) {
	p, e := s.poolLocked(poolID)
	if e != nil {
		return nil, nil, e
	}
	c, ok := p.clients[clientID]
	if !ok {
		return nil, nil, errorf(codeResourceNotFound, "User pool client %s does not exist.", clientID)
	}
	return p, c, nil
}

// createUserPoolClient adds an app client. In order: the pool must exist; GenerateSecret and
// ClientSecret exclude each other; the client must satisfy Cognito's rules (clientRules); and
// the pool must hold fewer clients than its quota.
func (s *Server) createUserPoolClient(in *input, now time.Time) (any, *apiError) {
	p, e := s.poolLocked(*in.UserPoolID)
	if e != nil {
		return nil, e
	}
	c := buildClient(in.Client)
	c.UserPoolId = aws.String(p.id)
	c.ClientName = clonePtr(in.Client.ClientName)
	switch {
	case aws.ToBool(in.Client.GenerateSecret) && in.Client.ClientSecret != nil:
		return nil, errorf(codeInvalidParameter, "You cannot specify both GenerateSecret as true and provide a ClientSecret value.")
	case aws.ToBool(in.Client.GenerateSecret):
		c.ClientSecret = aws.String(s.randomString(generatedClientSecretLen))
	case in.Client.ClientSecret != nil:
		c.ClientSecret = aws.String(*in.Client.ClientSecret)
	}
	if e := s.clientRules(p, &c, nil); e != nil {
		return nil, e
	}
	if len(p.clients) >= s.cfg.maxAppClients {
		return nil, errorf(codeLimitExceeded, "Exceeded the maximum number of app clients (%d) for user pool %s.", s.cfg.maxAppClients, p.id)
	}
	c.ClientId = aws.String(s.newClientIDLocked(p))
	c.CreationDate, c.LastModifiedDate = millis(now), millis(now)
	p.clients[*c.ClientId] = &c
	return userPoolClientOutput{UserPoolClient: toWireClient(&c)}, nil
}

func (s *Server) describeUserPoolClient(in *input, _ time.Time) (any, *apiError) {
	_, c, e := s.clientLocked(*in.UserPoolID, *in.ClientID)
	if e != nil {
		return nil, e
	}
	return userPoolClientOutput{UserPoolClient: toWireClient(c)}, nil
}

// updateUserPoolClient replaces every updatable field of the client with the request's, each
// field left out reset to its default (see the package documentation), as the service does. It
// keeps ClientId, ClientSecret, CreationDate and, when the request leaves it out, ClientName.
func (s *Server) updateUserPoolClient(in *input, now time.Time) (any, *apiError) {
	p, old, e := s.clientLocked(*in.UserPoolID, *in.ClientID)
	if e != nil {
		return nil, e
	}
	c := buildClient(in.Client)
	c.UserPoolId, c.ClientId, c.ClientSecret, c.CreationDate = old.UserPoolId, old.ClientId, old.ClientSecret, old.CreationDate
	c.ClientName = old.ClientName
	if in.Client.ClientName != nil {
		c.ClientName = aws.String(*in.Client.ClientName)
	}
	if e := s.clientRules(p, &c, old); e != nil {
		return nil, e
	}
	c.LastModifiedDate = millis(now)
	p.clients[*c.ClientId] = &c
	return userPoolClientOutput{UserPoolClient: toWireClient(&c)}, nil
}

func (s *Server) deleteUserPoolClient(in *input, _ time.Time) (any, *apiError) {
	p, _, e := s.clientLocked(*in.UserPoolID, *in.ClientID)
	if e != nil {
		return nil, e
	}
	delete(p.clients, *in.ClientID)
	return emptyOutput{}, nil
}

// listUserPoolClients lists a pool's clients sorted by ClientId, 60 per page unless MaxResults
// says otherwise.
func (s *Server) listUserPoolClients(in *input, _ time.Time) (any, *apiError) {
	p, e := s.poolLocked(*in.UserPoolID)
	if e != nil {
		return nil, e
	}
	limit := defaultListClients
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
	}
	page, next, e := s.paginate(p.sortedClientIDs(), "uc:"+p.id, in.NextToken, limit)
	if e != nil {
		return nil, e
	}
	out := listUserPoolClientsOutput{UserPoolClients: []wireClientDescription{}, NextToken: next}
	for _, id := range page {
		c := p.clients[id]
		out.UserPoolClients = append(out.UserPoolClients, wireClientDescription{ClientID: id, UserPoolID: p.id, ClientName: aws.ToString(c.ClientName)})
	}
	return out, nil
}

func (p *pool) sortedClientIDs() []string {
	ids := make([]string, 0, len(p.clients))
	for id := range p.clients {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// newClientIDLocked returns a fresh client id: 26 lowercase letters and digits, as Cognito makes
// them.
func (s *Server) newClientIDLocked(p *pool) string {
	for {
		id := s.randomString(generatedClientIDLen)
		if _, taken := p.clients[id]; !taken {
			return id
		}
	}
}

// randomString returns n lowercase letters and digits from the server's random source; s.mu must
// be held.
func (s *Server) randomString(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = clientIDAlphabet[s.rng.IntN(len(clientIDAlphabet))]
	}
	return string(b)
}

// definedScopeLocked reports whether scope, "<identifier>/<scope name>" split on its last '/',
// names a scope of a resource server of p.
func definedScopeLocked(p *pool, scope string) bool {
	i := strings.LastIndexByte(scope, '/')
	if i < 0 {
		return false
	}
	rs, ok := p.servers[scope[:i]]
	return ok && slices.ContainsFunc(rs.Scopes, func(sc Scope) bool { return sc.Name == scope[i+1:] })
}

// clientRules applies Cognito's rules on app clients, in the order the package documentation
// lists them ("App clients"), the first failure giving the answer; old is the stored client on
// Update, nil on Create. (GenerateSecret with ClientSecret is checked by createUserPoolClient.)
func (s *Server) clientRules(p *pool, c, old *types.UserPoolClientType) *apiError {
	var legacy, allow bool
	for _, f := range c.ExplicitAuthFlows {
		if legacyAuthFlows[string(f)] {
			legacy = true
		} else {
			allow = true
		}
	}
	if legacy && allow {
		return errorf(codeInvalidParameter, "ExplicitAuthFlows cannot combine the legacy values ADMIN_NO_SRP_AUTH, CUSTOM_AUTH_FLOW_ONLY and USER_PASSWORD_AUTH with values that begin with ALLOW_.")
	}
	if e := checkValidities(c); e != nil {
		return e
	}
	hasSecret := c.ClientSecret != nil
	if aws.ToBool(c.EnablePropagateAdditionalUserContextData) && !hasSecret {
		return errorf(codeInvalidParameter, "EnablePropagateAdditionalUserContextData can only be activated for an app client that has a client secret.")
	}
	for _, list := range [][]string{c.CallbackURLs, c.LogoutURLs} {
		for _, u := range list {
			if e := checkRedirectURL(u); e != nil {
				return e
			}
		}
	}
	if d := c.DefaultRedirectURI; d != nil {
		if e := checkRedirectURL(*d); e != nil {
			return e
		}
		if !slices.Contains(c.CallbackURLs, *d) {
			return errorf(codeInvalidParameter, "DefaultRedirectURI %s must be one of the CallbackURLs.", shorten(*d))
		}
	}
	for _, scope := range c.AllowedOAuthScopes {
		if standardScopes[scope] || definedScopeLocked(p, scope) {
			continue
		}
		if old != nil && s.cfg.inactiveScopes && slices.Contains(old.AllowedOAuthScopes, scope) {
			continue
		}
		return errorf(codeScopeDoesNotExist, "Invalid scope requested: %s", scope)
	}
	flows := c.AllowedOAuthFlows
	if aws.ToBool(c.AllowedOAuthFlowsUserPoolClient) {
		if len(flows) == 0 || len(c.AllowedOAuthScopes) == 0 {
			return errorf(codeInvalidParameter, "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows.")
		}
		if (slices.Contains(flows, types.OAuthFlowTypeCode) || slices.Contains(flows, types.OAuthFlowTypeImplicit)) && len(c.CallbackURLs) == 0 {
			return errorf(codeInvalidOAuthFlow, "CallbackUrls can not be empty when code flow or implicit flow is selected.")
		}
	}
	if slices.Contains(flows, types.OAuthFlowTypeClientCredentials) {
		if slices.Contains(flows, types.OAuthFlowTypeCode) || slices.Contains(flows, types.OAuthFlowTypeImplicit) {
			return errorf(codeInvalidOAuthFlow, "client_credentials flow can not be selected along with code flow or implicit flow.")
		}
		if !hasSecret {
			return errorf(codeInvalidOAuthFlow, "client_credentials flow can not be selected if client does not have a client secret.")
		}
		for _, scope := range c.AllowedOAuthScopes {
			if standardScopes[scope] {
				return errorf(codeInvalidOAuthFlow, "client_credentials flow can only be used with custom scopes, not %s.", scope)
			}
		}
	}
	return nil
}

// checkValidities applies rule 2 of clientRules: token validities within Cognito's ranges.
func checkValidities(c *types.UserPoolClientType) *apiError {
	var units types.TokenValidityUnitsType
	if c.TokenValidityUnits != nil {
		units = *c.TokenValidityUnits
	}
	seconds := func(n int32, unit, def types.TimeUnitsType) int64 {
		if unit == "" {
			unit = def
		}
		switch unit {
		case types.TimeUnitsTypeSeconds:
			return int64(n)
		case types.TimeUnitsTypeMinutes:
			return int64(n) * 60
		case types.TimeUnitsTypeHours:
			return int64(n) * 3600
		}
		return int64(n) * 86400
	}
	const minute, hour, day = 60, 3600, 86400
	check := func(name string, n *int32, unit, def types.TimeUnitsType, lo, hi int64) *apiError {
		if n == nil {
			return nil
		}
		if sec := seconds(*n, unit, def); sec < lo || sec > hi {
			return errorf(codeInvalidParameter, "Invalid range for token validity: %s %d %s is outside %d to %d seconds.", name, *n, cmp.Or(unit, def), lo, hi)
		}
		return nil
	}
	if e := check("AccessTokenValidity", c.AccessTokenValidity, units.AccessToken, types.TimeUnitsTypeHours, 5*minute, day); e != nil {
		return e
	}
	if e := check("IdTokenValidity", c.IdTokenValidity, units.IdToken, types.TimeUnitsTypeHours, 5*minute, day); e != nil {
		return e
	}
	return check("RefreshTokenValidity", &c.RefreshTokenValidity, units.RefreshToken, types.TimeUnitsTypeDays, hour, 3650*day)
}

// checkRedirectURL applies rule 4 of clientRules to one URL: absolute, no fragment, http only for
// a loopback host.
func checkRedirectURL(raw string) *apiError {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Scheme == "":
		return errorf(codeInvalidParameter, "Invalid URL %s: a redirect URI must be an absolute URI.", shorten(raw))
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return errorf(codeInvalidParameter, "Invalid URL %s: a redirect URI must not include a fragment component.", shorten(raw))
	case strings.EqualFold(u.Scheme, "http"):
		host := u.Hostname()
		ip := net.ParseIP(host)
		if !strings.EqualFold(host, "localhost") && (ip == nil || !(ip.Equal(net.IPv4(127, 0, 0, 1)) || ip.Equal(net.IPv6loopback))) {
			return errorf(codeInvalidParameter, "Invalid URL %s: HTTPS is required over HTTP except for http://localhost, http://127.0.0.1 and http://[::1].", shorten(raw))
		}
	}
	return nil
}
