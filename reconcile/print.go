package reconcile

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// WriteText writes p as a diff in the convention users know: a line per
// resource server ("+" create, "~" change, "-" delete) and per app client
// whose scopes change, a line per scope beneath it, the grants the plan
// refuses unless allowed (each naming the command's flag that allows it;
// ApplyOptions.AllowDangling and AllowRegrant in Go), and a closing
// "Plan: N to add, N to change, N to destroy." (add and destroy count
// resource servers; change counts resource servers and app clients). The output depends only on p, so the
// same plan prints the same text.
func (p *Plan) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	if !p.HasChanges() {
		fmt.Fprintf(bw, "No changes. User pool %s matches the file (%d resource server(s) as wanted).\n", p.UserPoolID, p.Unchanged)
	} else {
		fmt.Fprintf(bw, "Plan for user pool %s:\n\n", p.UserPoolID)
	}
	for _, sp := range p.Servers {
		switch sp.Action {
		case ActionCreate:
			fmt.Fprintf(bw, "  + %s %q\n", sp.Identifier, sp.After.Name)
			for _, s := range sp.After.Scopes {
				fmt.Fprintf(bw, "      + %s %q\n", s.Name, s.Description)
			}
		case ActionDelete:
			fmt.Fprintf(bw, "  - %s %q\n", sp.Identifier, sp.Before.Name)
			for _, s := range sp.Before.Scopes {
				fmt.Fprintf(bw, "      - %s %q\n", s.Name, s.Description)
			}
		case ActionChange:
			fmt.Fprintf(bw, "  ~ %s\n", sp.Identifier)
			if n, ok := sp.Change.NewName(); ok {
				fmt.Fprintf(bw, "      ~ name %q -> %q\n", sp.Before.Name, n)
			}
			for _, s := range sp.Change.Added() {
				if i := slices.IndexFunc(sp.Before.Scopes, func(b resourceserver.Scope) bool { return b.Name == s.Name }); i >= 0 {
					fmt.Fprintf(bw, "      ~ %s %q -> %q\n", s.Name, sp.Before.Scopes[i].Description, s.Description)
				} else {
					fmt.Fprintf(bw, "      + %s %q\n", s.Name, s.Description)
				}
			}
			for _, n := range sp.Change.Removed() {
				if i := slices.IndexFunc(sp.Before.Scopes, func(b resourceserver.Scope) bool { return b.Name == n }); i >= 0 {
					fmt.Fprintf(bw, "      - %s %q\n", n, sp.Before.Scopes[i].Description)
				} else {
					fmt.Fprintf(bw, "      - %s\n", n)
				}
			}
		}
	}
	for _, g := range p.Grants {
		fmt.Fprintf(bw, "  ~ app client %s\n", g.Client)
		for _, s := range g.Revoke {
			fmt.Fprintf(bw, "      - %s\n", s)
		}
		for _, s := range g.Grant {
			fmt.Fprintf(bw, "      + %s\n", s)
		}
	}
	if len(p.Dangling) > 0 || len(p.Regrants) > 0 {
		fmt.Fprintf(bw, "\nRefused unless allowed:\n")
		for _, im := range p.Dangling {
			fmt.Fprintf(bw, "  ! removing %s leaves it inactive on %s (allow with --allow-dangling)\n", im.Scope, clientList(im.Clients))
		}
		for _, im := range p.Regrants {
			fmt.Fprintf(bw, "  ! adding %s grants it again to %s (allow with --allow-regrant)\n", im.Scope, clientList(im.Clients))
		}
	}
	add, change, destroy := p.Counts()
	if p.HasChanges() {
		bw.WriteByte('\n')
	}
	fmt.Fprintf(bw, "Plan: %d to add, %d to change, %d to destroy.\n", add, change, destroy)
	return bw.Flush()
}

// String returns p as WriteText writes it.
func (p *Plan) String() string {
	var b strings.Builder
	_ = p.WriteText(&b) // a strings.Builder does not fail
	return b.String()
}

// The JSON form of a plan. Its field names are part of the saved-plan
// format of PlanVersion.
type (
	planJSON struct {
		Version         int              `json:"version"`
		UserPoolID      string           `json:"userPoolId"`
		Region          string           `json:"region,omitempty"`
		Endpoint        string           `json:"endpoint,omitempty"`
		Fingerprint     string           `json:"fingerprint"`
		AppClients      AppClientRead    `json:"appClients"`
		ResourceServers []serverPlanJSON `json:"resourceServers"`
		Unchanged       int              `json:"unchanged"`
		Grants          []grantPlanJSON  `json:"grants"`
		Dangling        []Impact         `json:"dangling"`
		Regrants        []Impact         `json:"regrants"`
		Reactivates     []Impact         `json:"reactivates,omitempty"`
		Summary         map[string]int   `json:"summary"`
	}
	serverPlanJSON struct {
		Action     Action      `json:"action"`
		Identifier string      `json:"identifier"`
		Before     *serverJSON `json:"before,omitempty"`
		After      *serverJSON `json:"after,omitempty"`
		Change     *changeJSON `json:"change,omitempty"`
	}
	serverJSON struct {
		Name   string      `json:"name"`
		Scopes []scopeJSON `json:"scopes"`
	}
	scopeJSON struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	}
	changeJSON struct {
		Name   *string     `json:"name,omitempty"`
		Add    []scopeJSON `json:"add,omitempty"`
		Remove []string    `json:"remove,omitempty"`
	}
	grantPlanJSON struct {
		ClientID   string   `json:"clientId"`
		ClientName string   `json:"clientName,omitempty"`
		Grant      []string `json:"grant,omitempty"`
		Revoke     []string `json:"revoke,omitempty"`
	}
)

func toServerJSON(rs resourceserver.ResourceServer) *serverJSON {
	out := &serverJSON{Name: rs.Name, Scopes: []scopeJSON{}}
	for _, s := range rs.Scopes {
		out.Scopes = append(out.Scopes, scopeJSON(s))
	}
	return out
}

func (s *serverJSON) server(pool, identifier string) resourceserver.ResourceServer {
	if s == nil {
		return resourceserver.ResourceServer{}
	}
	rs := resourceserver.ResourceServer{UserPoolID: pool, Identifier: identifier, Name: s.Name}
	for _, sc := range s.Scopes {
		rs.Scopes = append(rs.Scopes, resourceserver.Scope(sc))
	}
	return rs
}

// MarshalJSON returns p as JSON: {"version": 1, "userPoolId", "region",
// "endpoint", "fingerprint", "appClients", "resourceServers": [{"action",
// "identifier", "before", "after", "change": {"name", "add", "remove"}}],
// "unchanged", "grants": [{"clientId", "clientName", "grant", "revoke"}],
// "dangling", "regrants", "reactivates", "summary": {"add", "change",
// "destroy"}}; "region", "endpoint" and "reactivates" are left out when
// empty. It is the saved-plan format that [ReadPlan] reads back. "dangling"
// and "regrants" are for reading: an apply checks the grants again from
// what it reads.
func (p *Plan) MarshalJSON() ([]byte, error) {
	add, change, destroy := p.Counts()
	v := planJSON{
		Version: p.Version, UserPoolID: p.UserPoolID, Region: p.Region, Endpoint: p.Endpoint, Fingerprint: p.Fingerprint, AppClients: p.AppClients,
		ResourceServers: []serverPlanJSON{}, Unchanged: p.Unchanged, Grants: []grantPlanJSON{},
		Dangling: nonNil(p.Dangling), Regrants: nonNil(p.Regrants), Reactivates: p.Reactivates,
		Summary: map[string]int{"add": add, "change": change, "destroy": destroy},
	}
	for _, sp := range p.Servers {
		s := serverPlanJSON{Action: sp.Action, Identifier: sp.Identifier}
		if sp.Action != ActionCreate {
			s.Before = toServerJSON(sp.Before)
		}
		if sp.Action != ActionDelete {
			s.After = toServerJSON(sp.After)
		}
		if sp.Action == ActionChange {
			c := &changeJSON{Remove: sp.Change.Removed()}
			if n, ok := sp.Change.NewName(); ok {
				c.Name = &n
			}
			for _, sc := range sp.Change.Added() {
				c.Add = append(c.Add, scopeJSON(sc))
			}
			s.Change = c
		}
		v.ResourceServers = append(v.ResourceServers, s)
	}
	for _, g := range p.Grants {
		v.Grants = append(v.Grants, grantPlanJSON{ClientID: g.Client.ID, ClientName: g.Client.Name, Grant: g.Grant, Revoke: g.Revoke})
	}
	return json.Marshal(v)
}

func nonNil(s []Impact) []Impact {
	if s == nil {
		return []Impact{}
	}
	return s
}

// ReadPlan reads a plan saved as [Plan.MarshalJSON] writes it. A plan of
// another version gives a *[PlanVersionError]; a malformed one, or one
// with an unknown action or key, an error saying so.
func ReadPlan(r io.Reader) (*Plan, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var head struct {
		Version int `json:"version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("reconcile: not a saved plan: %w", err)
	}
	if head.Version != PlanVersion {
		return nil, &PlanVersionError{Version: head.Version, Supported: PlanVersion}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var v planJSON
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("reconcile: not a saved plan: %w", err)
	}
	p := &Plan{Version: v.Version, UserPoolID: v.UserPoolID, Region: v.Region, Endpoint: v.Endpoint, Fingerprint: v.Fingerprint,
		AppClients: v.AppClients, Unchanged: v.Unchanged, Dangling: v.Dangling, Regrants: v.Regrants, Reactivates: v.Reactivates}
	if len(p.Dangling) == 0 {
		p.Dangling = nil
	}
	if len(p.Regrants) == 0 {
		p.Regrants = nil
	}
	for _, s := range v.ResourceServers {
		sp := ServerPlan{Action: s.Action, Identifier: s.Identifier,
			Before: s.Before.server(v.UserPoolID, s.Identifier), After: s.After.server(v.UserPoolID, s.Identifier)}
		switch s.Action {
		case ActionCreate:
		case ActionDelete:
		case ActionChange:
			if s.Change == nil {
				return nil, fmt.Errorf("reconcile: saved plan: change of %s has no \"change\"", s.Identifier)
			}
			if s.Change.Name != nil {
				sp.Change = sp.Change.Rename(*s.Change.Name)
			}
			for _, sc := range s.Change.Add {
				sp.Change = sp.Change.Add(resourceserver.Scope(sc))
			}
			sp.Change = sp.Change.Remove(s.Change.Remove...)
		default:
			return nil, fmt.Errorf("reconcile: saved plan: unknown action %q for %s", s.Action, s.Identifier)
		}
		p.Servers = append(p.Servers, sp)
	}
	for _, g := range v.Grants {
		p.Grants = append(p.Grants, GrantPlan{Client: ClientRef{ID: g.ClientID, Name: g.ClientName}, Grant: g.Grant, Revoke: g.Revoke})
	}
	return p, nil
}
