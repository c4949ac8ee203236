package reconcile

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/scopekeeper/scopekeeper/appclient"
)

// Export reads the user pool and returns it as a File that plans to no
// changes: every resource server with its name and scopes (none
// additive), and, with apps, every app client that allows a custom scope
// of the pool, by ID, with the scopes it allows that are defined (standard
// scopes and inactive ones are left out, and a plan leaves them alone).
//
// It sends one ListResourceServers per 50 resource servers and, with
// apps, what AppClients.List and AppClients.Grants send. Errors are those of those reads.
// [Reconciler.ExportPortable] exports a file that other pools can use.
func (r *Reconciler) Export(ctx context.Context, poolID string, apps bool) (_ *File, err error) {
	if err := (&File{UserPoolID: poolID}).Check(); err != nil {
		return nil, err
	}
	ctx, span := r.start(ctx, "Export", poolID)
	defer func() { span.End(err) }()
	servers, err := r.readServers(ctx, poolID)
	if err != nil {
		return nil, err
	}
	f := &File{UserPoolID: poolID}
	defined := map[string]bool{}
	for _, rs := range servers {
		f.ResourceServers = append(f.ResourceServers, Server{Identifier: rs.Identifier, Name: rs.Name, Scopes: rs.Scopes})
		for _, t := range rs.TokenScopes() {
			defined[t] = true
		}
	}
	if !apps {
		return f, nil
	}
	if r.apps == nil {
		return nil, fmt.Errorf("reconcile: Export: this Reconciler has no app-client client")
	}
	holders, _, err := r.readApps(ctx, poolID, AppClientRead{All: true})
	if err != nil {
		return nil, err
	}
	byID := map[string]*AppClient{}
	names := map[string]string{}
	for scope, refs := range holders {
		if !defined[scope] || appclient.IsStandard(scope) {
			continue
		}
		for _, c := range refs {
			if byID[c.ID] == nil {
				byID[c.ID] = &AppClient{ClientID: c.ID}
				names[c.ID] = c.Name
			}
			byID[c.ID].Scopes = append(byID[c.ID].Scopes, scope)
		}
	}
	for _, c := range byID {
		slices.Sort(c.Scopes)
		f.AppClients = append(f.AppClients, *c)
	}
	slices.SortFunc(f.AppClients, func(a, b AppClient) int { return strings.Compare(a.ClientID, b.ClientID) })
	f.names = names
	return f, nil
}

// ExportPortable is [Reconciler.Export] for a file that plans against
// any user pool, such as the dev, stage and prod pools of one service: it
// has no userPoolId (the pool is named when planning, by
// [PlanOptions.UserPoolID] or the command's --pool), and names each app
// client by its name (clientName), since app client IDs differ from pool
// to pool. Each pool must then hold app clients of those names, one of
// each.
//
// It sends what Export sends. Besides Export's errors, it fails with a
// *[FileError] (rule [RuleUnknownClient], nothing more read) when app
// clients that allow a scope of the pool share a name, since the file
// could not name them apart.
func (r *Reconciler) ExportPortable(ctx context.Context, poolID string, apps bool) (*File, error) {
	f, err := r.Export(ctx, poolID, apps)
	if err != nil {
		return nil, err
	}
	f.UserPoolID = ""
	byName := map[string][]string{}
	for _, c := range f.AppClients {
		byName[f.names[c.ClientID]] = append(byName[f.names[c.ClientID]], c.ClientID)
	}
	var probs []*Problem
	for i, c := range f.AppClients {
		name := f.names[c.ClientID]
		if ids := byName[name]; len(ids) > 1 {
			if ids[0] == c.ClientID {
				probs = append(probs, f.problem("appClients["+strconv.Itoa(i)+"].clientName", RuleUnknownClient,
					"app clients "+strings.Join(ids, ", ")+" share this name, so a file without client IDs cannot tell them apart; rename them or leave out app clients", name))
			}
			continue
		}
		f.AppClients[i] = AppClient{ClientName: name, Scopes: c.Scopes}
	}
	if len(probs) > 0 {
		return nil, &FileError{File: "export of " + poolID, Problems: probs}
	}
	slices.SortFunc(f.AppClients, func(a, b AppClient) int { return strings.Compare(a.ClientName, b.ClientName) })
	f.names = nil
	return f, nil
}

// WriteYAML writes f in the file format [Parse] reads, every string
// quoted, with each app client's name, when known, as a comment.
func (f *File) WriteYAML(w io.Writer) error {
	bw := bufio.NewWriter(w)
	q := func(s string) string {
		b, _ := json.Marshal(s) // a JSON string is a YAML double-quoted scalar
		return string(b)
	}
	if f.UserPoolID != "" {
		fmt.Fprintf(bw, "userPoolId: %s\n", q(f.UserPoolID))
	}
	fmt.Fprintf(bw, "resourceServers:")
	if len(f.ResourceServers) == 0 {
		fmt.Fprintf(bw, " []")
	}
	bw.WriteByte('\n')
	for _, s := range f.ResourceServers {
		fmt.Fprintf(bw, "  - identifier: %s\n    name: %s\n", q(s.Identifier), q(s.Name))
		if s.Additive {
			fmt.Fprintf(bw, "    additive: true\n")
		}
		if len(s.Scopes) == 0 {
			fmt.Fprintf(bw, "    scopes: []\n")
			continue
		}
		fmt.Fprintf(bw, "    scopes:\n")
		for _, sc := range s.Scopes {
			fmt.Fprintf(bw, "      - name: %s\n        description: %s\n", q(sc.Name), q(sc.Description))
		}
	}
	if len(f.AppClients) > 0 {
		fmt.Fprintf(bw, "appClients:\n")
		for _, c := range f.AppClients {
			switch {
			case c.ClientID != "" && f.names[c.ClientID] != "":
				// A client name may hold any whitespace, a newline too: a
				// comment gets it on one line.
				fmt.Fprintf(bw, "  - clientId: %s # %s\n", q(c.ClientID), strings.Join(strings.Fields(f.names[c.ClientID]), " "))
			case c.ClientID != "":
				fmt.Fprintf(bw, "  - clientId: %s\n", q(c.ClientID))
			default:
				fmt.Fprintf(bw, "  - clientName: %s\n", q(c.ClientName))
			}
			fmt.Fprintf(bw, "    scopes:\n")
			for _, sc := range c.Scopes {
				fmt.Fprintf(bw, "      - %s\n", q(sc))
			}
		}
	}
	return bw.Flush()
}

// MarshalJSON returns f in the file format [Parse] reads, as JSON.
func (f *File) MarshalJSON() ([]byte, error) {
	type scope struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	}
	type server struct {
		Identifier string  `json:"identifier"`
		Name       string  `json:"name"`
		Additive   bool    `json:"additive,omitempty"`
		Scopes     []scope `json:"scopes"`
	}
	type client struct {
		ClientID   string   `json:"clientId,omitempty"`
		ClientName string   `json:"clientName,omitempty"`
		Scopes     []string `json:"scopes"`
	}
	var v struct {
		UserPoolID      string   `json:"userPoolId,omitempty"`
		ResourceServers []server `json:"resourceServers"`
		AppClients      []client `json:"appClients,omitempty"`
	}
	v.UserPoolID, v.ResourceServers = f.UserPoolID, []server{}
	for _, s := range f.ResourceServers {
		out := server{Identifier: s.Identifier, Name: s.Name, Additive: s.Additive, Scopes: []scope{}}
		for _, sc := range s.Scopes {
			out.Scopes = append(out.Scopes, scope(sc))
		}
		v.ResourceServers = append(v.ResourceServers, out)
	}
	for _, c := range f.AppClients {
		v.AppClients = append(v.AppClients, client{ClientID: c.ClientID, ClientName: c.ClientName, Scopes: append([]string{}, c.Scopes...)})
	}
	return json.MarshalIndent(v, "", "  ")
}
