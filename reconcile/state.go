package reconcile

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"iter"
	"slices"

	"github.com/scopekeeper/scopekeeper/appclient"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// ClientRef names an app client: its ID, and its name when the read that
// found it knew it.
type ClientRef struct {
	// ID is the app client's ID.
	ID string `json:"clientId"`
	// Name is its name; "" when unknown.
	Name string `json:"clientName,omitempty"`
}

// String returns "<name> (<id>)", or the ID alone when the name is unknown.
func (c ClientRef) String() string {
	if c.Name == "" {
		return c.ID
	}
	return c.Name + " (" + c.ID + ")"
}

// Impact is a scope and the app clients a plan affects through it.
type Impact struct {
	// Scope is "<identifier>/<scope name>".
	Scope string `json:"scope"`
	// Clients are the app clients that list the scope, sorted by ID, each
	// with its name (the plan lists every app client it reads).
	Clients []ClientRef `json:"clients"`
}

// AppClientRead says how a plan read the pool's app clients, so that
// applying it reads them the same way to check nothing changed.
type AppClientRead struct {
	// All is true when every app client was read (the file has grants).
	All bool `json:"all,omitempty"`
	// Scopes are the scopes whose holders were read, when not All: the
	// scopes the plan removes or adds. Empty with All false: app clients
	// were not read.
	Scopes []string `json:"scopes,omitempty"`
}

func (a AppClientRead) read() bool { return a.All || len(a.Scopes) > 0 }

// state is what a plan reads of a pool.
type state struct {
	pool    string
	servers []resourceserver.ResourceServer // sorted by identifier
	apps    AppClientRead
	holders map[string][]ClientRef // scope -> app clients that list it, sorted by ID; nil when not read
	clients []ClientRef            // every app client of the pool, sorted by ID; nil when not read
}

// readServers reads every resource server of the pool: one
// ListResourceServers per 50 servers, through the Client's pacing.
func (r *Reconciler) readServers(ctx context.Context, pool string) ([]resourceserver.ResourceServer, error) {
	var out []resourceserver.ResourceServer
	for rs, err := range r.rs.List(ctx, pool) {
		if err != nil {
			return nil, err
		}
		out = append(out, rs)
	}
	slices.SortFunc(out, func(a, b resourceserver.ResourceServer) int { return cmp.Compare(a.Identifier, b.Identifier) })
	return out, nil
}

// readApps reads the app clients as how says: first every app client by
// ID and name (AppClients.List, one call per 60), then the scopes they
// hold (AppClients.Grants, or AppClients.Holders, whose IDs the listing
// names). It returns nil holders and clients when nothing is to be read.
func (r *Reconciler) readApps(ctx context.Context, pool string, how AppClientRead) (holders map[string][]ClientRef, clients []ClientRef, err error) {
	if !how.read() {
		return nil, nil, nil
	}
	names := map[string]string{}
	clients = []ClientRef{}
	for c, err := range r.apps.List(ctx, pool) {
		if err != nil {
			return nil, nil, err
		}
		clients = append(clients, ClientRef{ID: c.ID, Name: c.Name})
		names[c.ID] = c.Name
	}
	clients = sortRefs(clients)
	holders = map[string][]ClientRef{}
	if how.All {
		g, err := r.apps.Grants(ctx, pool)
		if err != nil {
			return nil, nil, err
		}
		for _, sg := range g.Scopes {
			refs := make([]ClientRef, len(sg.Clients))
			for i, c := range sg.Clients {
				refs[i] = ClientRef{ID: c.ID, Name: c.Name}
			}
			holders[sg.Scope] = sortRefs(refs)
		}
		return holders, clients, nil
	}
	h, err := r.apps.Holders(ctx, pool, how.Scopes)
	if err != nil {
		return nil, nil, err
	}
	for scope, ids := range h {
		refs := make([]ClientRef, len(ids))
		for i, id := range ids {
			// An app client created after the listing has no name here.
			refs[i] = ClientRef{ID: id, Name: names[id]}
		}
		holders[scope] = sortRefs(refs)
	}
	return holders, clients, nil
}

func sortRefs(refs []ClientRef) []ClientRef {
	slices.SortFunc(refs, func(a, b ClientRef) int { return cmp.Compare(a.ID, b.ID) })
	return slices.CompactFunc(refs, func(a, b ClientRef) bool { return a.ID == b.ID })
}

// fingerprint returns a hash of st: the servers with their names and
// scopes (order of scopes aside), and the app clients that hold each scope
// read. Any change of these changes it.
func (st state) fingerprint() string {
	type scope struct{ N, D string }
	type server struct {
		I, N string
		S    []scope
	}
	type holding struct {
		S string
		C []ClientRef
	}
	var v struct {
		P string
		S []server
		A AppClientRead
		H []holding
	}
	v.P, v.A = st.pool, st.apps
	for _, rs := range st.servers {
		s := server{I: rs.Identifier, N: rs.Name}
		for _, sc := range rs.Scopes {
			s.S = append(s.S, scope{sc.Name, sc.Description})
		}
		slices.SortFunc(s.S, func(a, b scope) int { return cmp.Compare(a.N, b.N) })
		v.S = append(v.S, s)
	}
	for sc, refs := range st.holders {
		v.H = append(v.H, holding{sc, refs})
	}
	slices.SortFunc(v.H, func(a, b holding) int { return cmp.Compare(a.S, b.S) })
	b, _ := json.Marshal(v) // plain strings and slices: cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// AppClients is the part of an app-client client that a [Reconciler]
// uses; *appclient.Client satisfies it. A fake of it is enough for unit
// tests.
type AppClients interface {
	// List yields every app client of the pool by ID and name, then at
	// most one error.
	List(ctx context.Context, poolID string) iter.Seq2[appclient.ClientRef, error]
	// Grants reads every app client of the pool and the scopes each allows.
	Grants(ctx context.Context, poolID string) (appclient.Grants, error)
	// Holders returns, for each of scopes, the IDs of the app clients that
	// list it.
	Holders(ctx context.Context, poolID string, scopes []string) (map[string][]string, error)
	// GrantScopes adds scopes to an app client, keeping everything else.
	GrantScopes(ctx context.Context, poolID, clientID string, scopes ...string) (appclient.AppClient, error)
	// RevokeScopes removes scopes from an app client, keeping everything
	// else.
	RevokeScopes(ctx context.Context, poolID, clientID string, scopes ...string) (appclient.AppClient, error)
}

var _ AppClients = (*appclient.Client)(nil)
