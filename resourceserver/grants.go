package resourceserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/internal/engine"
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

// checkGrants is the engine's check before the write when Options.Grants
// is set: it asks Grants which app clients hold the scopes each step
// removes from the state before it or defines anew, and does what the
// step's policy says. A refused step gets a *rserrors.GrantsError; under
// RevokeGrants the scopes are revoked here, before the write. Without a
// Locker, a step that removes scopes under RefuseGrants or RevokeGrants
// reads their holders again once the Update is in place (Verdict.After),
// so that a grant made meanwhile by another process is reported or
// revoked, never left dangling unseen.
func (c *Client) checkGrants(ctx context.Context, k engine.Key, cur ResourceServer,
	steps []engine.Step[ResourceServer, opChange], held func() error) (engine.Verdict, error) {
	token := func(name string) string { return k.ID + "/" + name }
	removed, added := make([][]string, len(steps)), make([][]string, len(steps))
	var scopes []string
	for i, st := range steps {
		for _, n := range st.Change.remove {
			if indexScope(st.Before.Scopes, n) >= 0 {
				removed[i] = append(removed[i], token(n))
			}
		}
		for _, s := range st.Change.upsert {
			if indexScope(st.Before.Scopes, s.Name) < 0 {
				added[i] = append(added[i], token(s.Name))
			}
		}
		for _, t := range append(slices.Clip(removed[i]), added[i]...) {
			if !slices.Contains(scopes, t) {
				scopes = append(scopes, t)
			}
		}
	}
	if len(scopes) == 0 {
		return engine.Verdict{}, nil
	}
	holders, err := c.opts.Grants.Holders(ctx, k.Pool, scopes)
	if err != nil {
		return engine.Verdict{}, err
	}
	v := engine.Verdict{Refused: make([]error, len(steps))}
	cascade := make(map[string][]string)
	recheck := make([][]string, len(steps)) // scopes to read the holders of again
	policies := make([]GrantPolicy, len(steps))
	for i, st := range steps {
		policies[i] = c.policy(st.Change.Change)
		e := &rserrors.GrantsError{UserPoolID: k.Pool, Identifier: k.ID}
		for _, t := range removed[i] {
			if ids := holders[t]; len(ids) > 0 {
				e.Dangling = setGrant(e.Dangling, t, ids)
			}
		}
		for _, t := range added[i] {
			if ids := holders[t]; len(ids) > 0 {
				e.Regrant = setGrant(e.Regrant, t, ids)
			}
		}
		if policies[i] != KeepGrants && c.opts.Locker == nil {
			recheck[i] = removed[i]
		}
		if len(e.Dangling) == 0 && len(e.Regrant) == 0 {
			continue
		}
		switch policies[i] {
		case KeepGrants:
			c.log(ctx, slog.LevelInfo, "app-client grants kept as the change allows", k.Pool, k.ID,
				slog.Any("dangling", e.Dangling), slog.Any("regrant", e.Regrant))
		case RevokeGrants:
			for s, ids := range e.Dangling {
				cascade = setGrant(cascade, s, ids)
			}
			for s, ids := range e.Regrant {
				cascade = setGrant(cascade, s, ids)
			}
		default:
			v.Refused[i] = e
			recheck[i] = nil
		}
	}
	if err := c.revoke(ctx, k.Pool, k.ID, held, cascade); err != nil {
		return engine.Verdict{}, err
	}
	if slices.ContainsFunc(recheck, func(s []string) bool { return len(s) > 0 }) {
		v.After = func(ctx context.Context) []error { return c.recheckGrants(ctx, k, recheck, policies) }
	}
	return v, nil
}

// policy returns the grant policy of ch: its own, or Options.GrantPolicy.
func (c *Client) policy(ch Change) GrantPolicy {
	if p, ok := ch.GrantPolicy(); ok {
		return p
	}
	return c.opts.GrantPolicy
}

// recheckGrants reads again the holders of the scopes each step removed,
// after the Update: an app client that was granted one between the check
// and the Update (in another process; no Locker excluded it) holds it
// dangling now. Under RevokeGrants it is revoked from them; otherwise the
// step gets a *rserrors.GrantsError naming them, although its Update is
// in place.
func (c *Client) recheckGrants(ctx context.Context, k engine.Key, recheck [][]string, policies []GrantPolicy) []error {
	var scopes []string
	for _, r := range recheck {
		for _, t := range r {
			if !slices.Contains(scopes, t) {
				scopes = append(scopes, t)
			}
		}
	}
	errs := make([]error, len(recheck))
	holders, err := c.opts.Grants.Holders(ctx, k.Pool, scopes)
	if err != nil {
		for i, r := range recheck {
			if len(r) > 0 {
				errs[i] = fmt.Errorf("reading the app clients again after the update: %w", err)
			}
		}
		return errs
	}
	for i, r := range recheck {
		e := &rserrors.GrantsError{UserPoolID: k.Pool, Identifier: k.ID}
		for _, t := range r {
			if ids := holders[t]; len(ids) > 0 {
				e.Dangling = setGrant(e.Dangling, t, ids)
			}
		}
		if len(e.Dangling) == 0 {
			continue
		}
		c.log(ctx, slog.LevelWarn, "app clients were granted a removed scope during the change", k.Pool, k.ID,
			slog.Any("dangling", e.Dangling))
		if policies[i] == RevokeGrants {
			errs[i] = c.revoke(ctx, k.Pool, k.ID, nil, e.Dangling)
			continue
		}
		errs[i] = e
	}
	return errs
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
func (c *Client) revoke(ctx context.Context, poolID, identifier string, held func() error, cascade map[string][]string) error {
	for _, s := range slices.Sorted(maps.Keys(cascade)) {
		if held != nil {
			if err := held(); err != nil {
				return err
			}
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
