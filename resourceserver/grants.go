package resourceserver

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"strconv"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
)

// GrantChecker tells a Client which app clients allow which scopes, and
// revokes scopes from them, so that a change does not silently leave
// scopes dangling on app clients or grant them again (see
// Options.Grants). *appclient.Client (package
// github.com/scopekeeper/scopekeeper/appclient) implements it.
type GrantChecker interface {
	// Holders returns, for each of scopes ("<identifier>/<scope name>"),
	// the IDs of the app clients of the pool that list it, active or
	// inactive; a scope no app client lists is absent from the map.
	Holders(ctx context.Context, poolID string, scopes []string) (map[string][]string, error)
	// Revoke removes scope from the allowed scopes of each app client in
	// clientIDs.
	Revoke(ctx context.Context, poolID, scope string, clientIDs []string) error
}

// GrantPolicy says what a change does when Options.Grants is set and app
// clients allow a scope the change removes, or still list (inactive) a
// scope the change defines again.
type GrantPolicy int

const (
	// RefuseGrants refuses the change with a *rserrors.GrantsError that
	// names each scope and its app clients; nothing is sent. It is the
	// default.
	RefuseGrants GrantPolicy = iota
	// KeepGrants allows the change and leaves the app clients alone, as
	// Cognito does: a removed scope stays on them, inactive, and a scope
	// defined again is active again on every app client that lists it.
	KeepGrants
	// RevokeGrants revokes the scope from those app clients first, then
	// makes the change: a removal leaves nothing dangling, and a scope
	// defined again is granted to no one.
	RevokeGrants
)

// String returns "refuse", "keep" or "revoke".
func (p GrantPolicy) String() string {
	switch p {
	case RefuseGrants:
		return "refuse"
	case KeepGrants:
		return "keep"
	case RevokeGrants:
		return "revoke"
	}
	return "GrantPolicy(" + strconv.Itoa(int(p)) + ")"
}

// WithGrantPolicy returns ch with the grant policy p, which overrides
// Options.GrantPolicy for this change. A later Then with a Change that
// has its own policy replaces it.
func (ch Change) WithGrantPolicy(p GrantPolicy) Change {
	ch = ch.clone()
	ch.policy, ch.hasPolicy = p, true
	return ch
}

// GrantPolicy returns the grant policy set by WithGrantPolicy, and whether
// one is set.
func (ch Change) GrantPolicy() (GrantPolicy, bool) { return ch.policy, ch.hasPolicy }

// checkGrants composes the planned jobs and, when Options.Grants is set,
// asks it which app clients hold the scopes they remove or define anew.
// A job whose policy refuses that gets a *rserrors.GrantsError and is left
// out; the others are composed again without it. It returns the
// composition, the grants to revoke before writing, and the jobs kept.
func (c *Client) checkGrants(ctx context.Context, cur ResourceServer, planned []plannedJob) (Change, map[string][]string, []*job, error) {
	composed, removed, added := compose(cur, planned)
	kept := func() []*job {
		out := make([]*job, len(planned))
		for i, p := range planned {
			out[i] = p.j
		}
		return out
	}
	if c.opts.Grants == nil || len(planned) == 0 {
		return composed, nil, kept(), nil
	}
	token := func(name string) string { return cur.Identifier + "/" + name }
	var scopes []string
	for i := range planned {
		for _, n := range append(slices.Clip(removed[i]), added[i]...) {
			if t := token(n); !slices.Contains(scopes, t) {
				scopes = append(scopes, t)
			}
		}
	}
	if len(scopes) == 0 {
		return composed, nil, kept(), nil
	}
	holders, err := c.opts.Grants.Holders(ctx, cur.UserPoolID, scopes)
	if err != nil {
		return Change{}, nil, nil, err
	}
	cascade := make(map[string][]string)
	refused := false
	var keep []plannedJob
	for i, p := range planned {
		var e rserrors.GrantsError
		for _, n := range removed[i] {
			if ids := holders[token(n)]; len(ids) > 0 {
				e.Dangling = setGrant(e.Dangling, token(n), ids)
			}
		}
		for _, n := range added[i] {
			if ids := holders[token(n)]; len(ids) > 0 {
				e.Regrant = setGrant(e.Regrant, token(n), ids)
			}
		}
		if len(e.Dangling) == 0 && len(e.Regrant) == 0 {
			keep = append(keep, p)
			continue
		}
		policy := c.opts.GrantPolicy
		if pp, ok := p.ch.GrantPolicy(); ok {
			policy = pp
		}
		switch policy {
		case KeepGrants:
			keep = append(keep, p)
			c.log(ctx, slog.LevelInfo, "app-client grants kept as the change allows", cur.UserPoolID, cur.Identifier,
				slog.Any("dangling", e.Dangling), slog.Any("regrant", e.Regrant))
		case RevokeGrants:
			keep = append(keep, p)
			for s, ids := range e.Dangling {
				cascade = setGrant(cascade, s, ids)
			}
			for s, ids := range e.Regrant {
				cascade = setGrant(cascade, s, ids)
			}
		default:
			refused = true
			e.UserPoolID, e.Identifier = cur.UserPoolID, cur.Identifier
			p.j.done <- result{err: &e}
		}
	}
	if refused {
		planned = keep
		composed, _, _ = compose(cur, planned)
	}
	return composed, cascade, kept(), nil
}

// setGrant adds ids to m[scope], keeping them sorted and unique.
func setGrant(m map[string][]string, scope string, ids []string) map[string][]string {
	if m == nil {
		m = make(map[string][]string)
	}
	all := append(slices.Clone(m[scope]), ids...)
	slices.Sort(all)
	m[scope] = slices.Compact(all)
	return m
}

// revoke revokes each scope of cascade from its app clients, in scope
// order, before the Update that removes or defines it again; it stops at
// the first error, and at a lost lock.
func (c *Client) revoke(ctx context.Context, poolID, identifier string, held Lock, cascade map[string][]string) error {
	for _, s := range slices.Sorted(maps.Keys(cascade)) {
		if err := checkLock(held, poolID, identifier); err != nil {
			return err
		}
		if err := c.opts.Grants.Revoke(ctx, poolID, s, cascade[s]); err != nil {
			return err
		}
		c.log(ctx, slog.LevelInfo, "revoked a scope from app clients before changing it", poolID, identifier,
			slog.String("scope", s), slog.Any("appClients", cascade[s]))
	}
	return nil
}

// deleteGrants applies Options.GrantPolicy before a Delete: it reads the
// resource server and the app clients that allow its scopes, and refuses
// or revokes as the policy says.
func (c *Client) deleteGrants(ctx context.Context, poolID, identifier string) error {
	if c.opts.Grants == nil || c.opts.GrantPolicy == KeepGrants {
		return nil
	}
	rs, err := c.Get(ctx, poolID, identifier)
	if err != nil {
		if oe := (*OpError)(nil); errors.As(err, &oe) {
			return oe.Err
		}
		return err
	}
	tokens := rs.TokenScopes()
	if len(tokens) == 0 {
		return nil
	}
	holders, err := c.opts.Grants.Holders(ctx, poolID, tokens)
	if err != nil || len(holders) == 0 {
		return err
	}
	if c.opts.GrantPolicy == RevokeGrants {
		return c.revoke(ctx, poolID, identifier, nil, holders)
	}
	e := &rserrors.GrantsError{UserPoolID: poolID, Identifier: identifier}
	for s, ids := range holders {
		e.Dangling = setGrant(e.Dangling, s, ids)
	}
	return e
}
