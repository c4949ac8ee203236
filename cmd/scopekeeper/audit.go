package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/scopekeeper/scopekeeper/appclient"
	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/reconcile"
	"github.com/scopekeeper/scopekeeper/resourceserver"
	"github.com/scopekeeper/scopekeeper/validate"
)

// Defaults of the audit's quota flags.
const (
	// defaultNearPercent is how full a quota must be to be reported.
	defaultNearPercent = 90
	// defaultServerQuota is Cognito's default quota of resource servers
	// per user pool (adjustable to 300).
	defaultServerQuota = 25
)

// audit is what scopekeeper audit finds in a user pool. Its JSON is the
// output of audit -o json.
type audit struct {
	UserPoolID string `json:"userPoolId"`
	// ResourceServers and AppClients count what was read.
	ResourceServers int `json:"resourceServers"`
	AppClients      int `json:"appClients"`
	// InactiveGrants are scopes no resource server defines any more that
	// app clients still allow: left out of tokens, and granted again if
	// defined again.
	InactiveGrants []auditGrant `json:"inactiveGrants"`
	// UnusedScopes are defined scopes that no app client allows.
	UnusedScopes []string `json:"unusedScopes"`
	// OAuthWithoutScopes are app clients with OAuth on and no scope.
	OAuthWithoutScopes []auditClient `json:"oauthWithoutScopes"`
	// NearQuota are resource servers near the 100-scope quota and the
	// pool near its quota of resource servers.
	NearQuota []auditQuota `json:"nearQuota"`
	// Findings counts the entries of the four lists.
	Findings int `json:"findings"`
}

type auditClient struct {
	ClientID   string `json:"clientId"`
	ClientName string `json:"clientName"`
}

type auditGrant struct {
	Scope   string        `json:"scope"`
	Clients []auditClient `json:"clients"`
}

type auditQuota struct {
	// Identifier is the resource server; "" for the pool's quota of
	// resource servers.
	Identifier string `json:"identifier,omitempty"`
	// Of is "scopes" or "resourceServers".
	Of    string `json:"of"`
	Used  int    `json:"used"`
	Quota int    `json:"quota"`
}

func (a *app) auditCmd() *cobra.Command {
	var detailed bool
	var nearPercent, serverQuota int
	c := &cobra.Command{
		Use:   "audit",
		Short: "Report inactive grants, unused scopes, app clients without scopes and quotas nearly used",
		Long: `audit reads the user pool and reports:
  - inactive grants: scopes no resource server defines any more that app clients still
    allow (left out of tokens, and granted to them again if a scope of that name is
    added; revoke them, or remove-scope --cascade next time);
  - unused scopes: defined scopes that no app client allows;
  - app clients with OAuth on and no scope;
  - resource servers with at least --near percent of the 100-scope quota, and the pool
    with at least --near percent of its quota of resource servers (--server-quota,
    25 unless AWS raised it for the pool).
It writes nothing. It costs one ListResourceServers per 50 resource servers, one
ListUserPoolClients per 60 app clients and one DescribeUserPoolClient per app client,
and one more of each for the app clients that allow no scope.

--detailed-exitcode: 0 no findings, 1 error, 2 findings: for a scheduled CI job.`,
		Example: `  scopekeeper --pool us-east-1_AbCdEf123 audit
  scopekeeper --pool us-east-1_AbCdEf123 audit -o json --detailed-exitcode
  scopekeeper --pool us-east-1_AbCdEf123 audit --near 80 --server-quota 50`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if nearPercent < 1 || nearPercent > 100 {
				return usagef("--near %d: must be a percentage from 1 to 100", nearPercent)
			}
			if serverQuota < 1 {
				return usagef("--server-quota %d: must be at least 1", serverQuota)
			}
			if err := a.connect(cmd.Context(), true); err != nil {
				return err
			}
			au, err := a.audit(cmd.Context(), nearPercent, serverQuota)
			if err != nil {
				return err
			}
			if a.json() {
				err = a.writeJSON(au)
			} else {
				err = a.printAudit(au, nearPercent)
			}
			if err != nil {
				return err
			}
			if detailed && au.Findings > 0 {
				return &exitCodeError{code: exitChanges}
			}
			return nil
		},
	}
	c.Flags().BoolVar(&detailed, "detailed-exitcode", false, "exit 2 when the audit finds something (0 when not, 1 on error)")
	c.Flags().IntVar(&nearPercent, "near", defaultNearPercent, "report a quota used to at least this percentage")
	c.Flags().IntVar(&serverQuota, "server-quota", defaultServerQuota, "the pool's quota of resource servers")
	return c
}

// auditRead is what an audit reads of a pool.
type auditRead struct {
	pool    string
	servers []resourceserver.ResourceServer
	grants  appclient.Grants
	// bare are the app clients that allow no scope.
	bare []appclient.AppClient
}

// audit reads the pool with resourceserver.Client.List and
// appclient.Client.Grants, then describes the app clients that allow no
// scope, and returns what it finds.
func (a *app) audit(ctx context.Context, nearPercent, serverQuota int) (*audit, error) {
	r := auditRead{pool: a.pool}
	for rs, err := range a.rs.List(ctx, a.pool) {
		if err != nil {
			return nil, err
		}
		r.servers = append(r.servers, rs)
	}
	var err error
	if r.grants, err = a.apps.Grants(ctx, a.pool); err != nil {
		return nil, err
	}
	holds := map[string]bool{} // app clients that allow at least one scope
	for _, sg := range r.grants.Scopes {
		for _, c := range sg.Clients {
			holds[c.ID] = true
		}
	}
	for ref, err := range a.apps.List(ctx, a.pool) {
		if err != nil {
			return nil, err
		}
		if holds[ref.ID] {
			continue
		}
		c, err := a.apps.Get(ctx, a.pool, ref.ID)
		switch {
		case rserrors.IsAppClientNotFound(err):
			continue // deleted since the listing
		case err != nil:
			return nil, err
		}
		r.bare = append(r.bare, c)
	}
	return r.findings(nearPercent, serverQuota), nil
}

// findings returns what r holds that an audit reports, a quota being near
// when at least nearPercent of it is used.
func (r auditRead) findings(nearPercent, serverQuota int) *audit {
	au := &audit{UserPoolID: r.pool, ResourceServers: len(r.servers), AppClients: r.grants.AppClients,
		InactiveGrants: []auditGrant{}, UnusedScopes: []string{}, OAuthWithoutScopes: []auditClient{}, NearQuota: []auditQuota{}}
	for _, sg := range r.grants.Scopes {
		if sg.Inactive {
			au.InactiveGrants = append(au.InactiveGrants, auditGrant{Scope: sg.Scope, Clients: clientsOf(sg.Clients)})
		}
	}
	near := func(used, quota int) bool { return used*100 >= quota*nearPercent }
	servers := slices.SortedFunc(slices.Values(r.servers), func(x, y resourceserver.ResourceServer) int { return strings.Compare(x.Identifier, y.Identifier) })
	for _, rs := range servers {
		for _, t := range rs.TokenScopes() {
			if r.grants.Holders(t) == nil {
				au.UnusedScopes = append(au.UnusedScopes, t)
			}
		}
		if near(len(rs.Scopes), validate.MaxScopes) {
			au.NearQuota = append(au.NearQuota, auditQuota{Identifier: rs.Identifier, Of: "scopes", Used: len(rs.Scopes), Quota: validate.MaxScopes})
		}
	}
	if near(len(servers), serverQuota) {
		au.NearQuota = append(au.NearQuota, auditQuota{Of: "resourceServers", Used: len(servers), Quota: serverQuota})
	}
	for _, c := range r.bare {
		if c.AllowedOAuthFlowsUserPoolClient && len(c.AllowedOAuthScopes) == 0 {
			au.OAuthWithoutScopes = append(au.OAuthWithoutScopes, auditClient{c.ClientID, c.ClientName})
		}
	}
	slices.SortFunc(au.OAuthWithoutScopes, func(x, y auditClient) int { return strings.Compare(x.ClientID, y.ClientID) })
	au.Findings = len(au.InactiveGrants) + len(au.UnusedScopes) + len(au.OAuthWithoutScopes) + len(au.NearQuota)
	return au
}

func clientsOf(refs []appclient.ClientRef) []auditClient {
	out := make([]auditClient, len(refs))
	for i, r := range refs {
		out[i] = auditClient{r.ID, r.Name}
	}
	return out
}

// printAudit prints au as text: a section per kind of finding.
func (a *app) printAudit(au *audit, nearPercent int) error {
	if au.Findings == 0 {
		_, err := fmt.Fprintf(a.stdout, "No findings in user pool %s (%d resource server(s), %d app client(s)).\n",
			au.UserPoolID, au.ResourceServers, au.AppClients)
		return err
	}
	fmt.Fprintf(a.stdout, "Audit of user pool %s (%d resource server(s), %d app client(s)): %d finding(s).\n",
		au.UserPoolID, au.ResourceServers, au.AppClients, au.Findings)
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	if len(au.InactiveGrants) > 0 {
		fmt.Fprintf(tw, "\nInactive grants (no longer defined, still allowed; defining them again grants them again):\n")
		for _, g := range au.InactiveGrants {
			names := make([]string, len(g.Clients))
			for i, c := range g.Clients {
				names[i] = reconcile.ClientRef{ID: c.ClientID, Name: c.ClientName}.String()
			}
			fmt.Fprintf(tw, "  %s\t%s\n", g.Scope, strings.Join(names, ", "))
		}
	}
	if len(au.UnusedScopes) > 0 {
		fmt.Fprintf(tw, "\nUnused scopes (no app client allows them):\n")
		for _, s := range au.UnusedScopes {
			fmt.Fprintf(tw, "  %s\n", s)
		}
	}
	if len(au.OAuthWithoutScopes) > 0 {
		fmt.Fprintf(tw, "\nApp clients with OAuth on and no scope:\n")
		for _, c := range au.OAuthWithoutScopes {
			fmt.Fprintf(tw, "  %s\n", reconcile.ClientRef{ID: c.ClientID, Name: c.ClientName}.String())
		}
	}
	if len(au.NearQuota) > 0 {
		fmt.Fprintf(tw, "\nQuotas at least %d%% used:\n", nearPercent)
		for _, q := range au.NearQuota {
			if q.Identifier != "" {
				fmt.Fprintf(tw, "  %s\t%d of %d scopes\n", q.Identifier, q.Used, q.Quota)
			} else {
				fmt.Fprintf(tw, "  user pool %s\t%d of %d resource servers\n", au.UserPoolID, q.Used, q.Quota)
			}
		}
	}
	return tw.Flush()
}
