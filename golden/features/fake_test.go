package features

// The generated client against its generated fake: every operation, with a
// valid request, gets an answer the client decodes into its types.

import (
	"context"
	"testing"

	"github.com/limitgen/limitgen/golden/features/featuresfake"
)

func TestEveryOperationAgainstTheFake(t *testing.T) {
	srv := featuresfake.NewServer(t)
	c, err := NewClient(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	q := "x"
	calls := map[featuresfake.Operation]func() error{
		featuresfake.OpCreatePet: func() error {
			_, err := c.Pets.Create(ctx, &Pet{Cat: &Cat{Kind: "cat", Lives: 9}})
			return err
		},
		featuresfake.OpDeleteFile: func() error { return c.Files.Delete(ctx, "f1") },
		featuresfake.OpDrawShape: func() error {
			_, err := c.Shapes.Draw(ctx, &Shape{Kind: "circle", Circle: &Circle{Radius: 1}})
			return err
		},
		featuresfake.OpGetFileVersion: func() error {
			_, err := c.Files.GetVersion(ctx, "a/b", 2, "t1", nil)
			return err
		},
		featuresfake.OpGetStatus: func() error { _, err := c.Status.Get(ctx); return err },
		featuresfake.OpIssueToken: func() error {
			_, err := c.OAuth.IssueToken(ctx, &IssueTokenRequest{GrantType: "client_credentials"})
			return err
		},
		featuresfake.OpReadme: func() error { _, err := c.Readmes.Readme(ctx); return err },
		featuresfake.OpSearch: func() error {
			_, err := c.Search.Search(ctx, SearchQ{String: &q})
			return err
		},
		featuresfake.OpTouchFile: func() error { return c.Files.Touch(ctx, "f1") },
	}
	for _, op := range srv.Operations() {
		call, ok := calls[op]
		if !ok {
			t.Errorf("no call for %s", op)
			continue
		}
		if err := call(); err != nil {
			t.Errorf("%s: %v", op, err)
		}
		if st := srv.Stats(op); st.Accepted != 1 || st.Received != 1 {
			t.Errorf("%s: received %d, accepted %d; want 1 and 1", op, st.Received, st.Accepted)
		}
	}
}
