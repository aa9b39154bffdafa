package bench

import (
	"context"
	"encoding/json"

	"github.com/limitgen/limitgen/golden/scalekit"
)

func init() {
	generatedKinds = append(generatedKinds, Kind{
		Name:  "limitgen",
		About: "the generated client (golden/scalekit), defaults; given the rate when the scenario allows",
		New:   newGenerated,
	})
}

// generated is the limitgen-generated Scalekit client, used as a user
// would: one Client shared by every goroutine, client credentials, and
// nothing else unless the scenario lets the rate be configured.
type generated struct {
	c *scalekit.Client
}

func newGenerated(env Env) (Client, error) {
	opts := []scalekit.Option{
		scalekit.WithHTTPClient(env.HTTPClient),
		scalekit.WithClientCredentials(env.ClientID, env.ClientSecret),
	}
	if env.Known {
		opts = append(opts, scalekit.WithLimit(scalekit.LimitManagementAPIRequests, env.Rate, env.Burst))
	}
	c, err := scalekit.NewClient(env.BaseURL, opts...)
	if err != nil {
		return nil, err
	}
	return &generated{c: c}, nil
}

var (
	pageSize   = int64(10)
	toolName   = "send_email"
	toolParams = map[string]json.RawMessage{
		"to": json.RawMessage(`"user@example.com"`), "subject": json.RawMessage(`"Hello"`),
		"body": json.RawMessage(`"Hello World"`),
	}
)

func (g *generated) ListOrganizations(ctx context.Context) error {
	_, err := g.c.Organizations.List(ctx, &scalekit.OrganizationServiceListOrganizationParams{PageSize: &pageSize})
	return err
}

func (g *generated) ExecuteTool(ctx context.Context) error {
	_, err := g.c.Tools.Execute(ctx, &scalekit.ToolsExecuteToolRequest{ToolName: &toolName, Params: toolParams})
	return err
}
