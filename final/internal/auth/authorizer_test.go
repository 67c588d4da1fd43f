package auth_test

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/proglog-workshop/proglog/final/internal/auth"
)

const (
	model  = "testdata/model.conf"
	policy = "testdata/policy.csv"
)

func TestAuthorize(t *testing.T) {
	authorizer, err := auth.New(model, policy)
	require.NoError(t, err)

	tests := []struct {
		subject, object, action string
		allowed                 bool
	}{
		{"root", "*", "produce", true},
		{"root", "*", "consume", true},
		{"root", "*", "discover", true},
		{"root", "*", "delete", false},
		{"producer", "*", "produce", true},
		{"producer", "*", "discover", true},
		{"producer", "*", "consume", false},
		{"consumer", "*", "consume", true},
		{"consumer", "*", "discover", true},
		{"consumer", "*", "produce", false},
		{"root", "some-topic", "produce", false},
		{"nobody", "*", "produce", false},
		{"nobody", "*", "consume", false},
		{"nobody", "*", "discover", false},
		{"", "*", "consume", false},
	}
	// The second round is answered from the cache: the same answers.
	for round := range 2 {
		for _, tt := range tests {
			err := authorizer.Authorize(tt.subject, tt.object, tt.action)
			if tt.allowed {
				require.NoError(t, err, "round %d: the policy lets %q %s on %q", round, tt.subject, tt.action, tt.object)
				continue
			}
			require.Error(t, err, "round %d: the policy does not let %q %s on %q", round, tt.subject, tt.action, tt.object)
			require.Equal(t, codes.PermissionDenied.String(), status.Code(err).String(), "a refusal must be a status with codes.PermissionDenied, for the server to pass on; got %v", err)
		}
	}

	t.Run("is safe for concurrent use", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for range 8 {
			wg.Go(func() {
				for range 100 {
					if err := authorizer.Authorize("root", "*", "consume"); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		require.NoError(t, <-errs)
	})
}

func TestNewRejectsBadACL(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
		return path
	}
	const goodModel = model
	header := "[request_definition]\nr = sub, obj, act\n\n[policy_definition]\np = sub, obj, act\n\n[policy_effect]\ne = some(where (p.eft == allow))\n\n"
	tests := []struct {
		name          string
		model, policy string
	}{
		{"a missing model file", filepath.Join(dir, "missing.conf"), policy},
		{"a missing policy file", goodModel, filepath.Join(dir, "missing.csv")},
		{"a model without matchers", write("no-matchers.conf", header), policy},
		{"a matcher that does not parse", write("bad-matcher.conf", header+"[matchers]\nm = r.sub == p.sub &&& (\n"), policy},
		{"a policy line with too few fields", goodModel, write("short.csv", "p, root, *\n")},
		{"a policy line with too many fields", goodModel, write("long.csv", "p, root, *, produce, consume\n")},
		{"a policy line of an unknown type", goodModel, write("type.csv", "q, root, *, produce\n")},
		{"a policy line without its type", goodModel, write("untyped.csv", "root, *, produce\n")},
		{"a policy line with a broken quote", goodModel, write("quote.csv", "p, \"root, *, produce\n")},
		// casbin would read these as "root ", "produce # root writes" and
		// "": rules that look right and grant something else.
		{"a subject with a space after it", goodModel, write("space.csv", "p, root , *, produce\n")},
		{"an inline comment", goodModel, write("comment.csv", "p, root, *, produce # root writes\n")},
		{"an empty subject", goodModel, write("empty-subject.csv", "p, , *, produce\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			authorizer, err := auth.New(tt.model, tt.policy)
			require.Error(t, err, "%s must be an error, never an ACL that decides by accident", tt.name)
			require.Nil(t, authorizer)
		})
	}

	t.Run("spaces after the commas and comment lines are fine", func(t *testing.T) {
		authorizer, err := auth.New(goodModel, write("tidy.csv", "# root writes and reads\np,root,*,produce\np,   root,   *,   consume\n"))
		require.NoError(t, err)
		require.NoError(t, authorizer.Authorize("root", "*", "produce"))
		require.NoError(t, authorizer.Authorize("root", "*", "consume"))
	})

	t.Run("an empty policy allows nothing", func(t *testing.T) {
		authorizer, err := auth.New(goodModel, write("empty.csv", ""))
		require.NoError(t, err)
		require.Equal(t, codes.PermissionDenied.String(), status.Code(authorizer.Authorize("root", "*", "produce")).String(), "an empty policy allows nothing")
	})
}

func TestAuthorizeWhenTheACLFails(t *testing.T) {
	dir := t.TempDir()
	// A model that loads, and whose matcher fails on requests that reach
	// the regular expression of the rule: "(" does not compile.
	model := filepath.Join(dir, "model.conf")
	require.NoError(t, os.WriteFile(model, []byte("[request_definition]\nr = sub, obj, act\n\n[policy_definition]\np = sub, obj, act\n\n"+
		"[policy_effect]\ne = some(where (p.eft == allow))\n\n[matchers]\nm = r.sub == p.sub && r.obj == p.obj && regexMatch(r.act, p.act)\n"), 0o600))
	policy := filepath.Join(dir, "policy.csv")
	require.NoError(t, os.WriteFile(policy, []byte("p, root, *, (\n"), 0o600))
	authorizer, err := auth.New(model, policy)
	require.NoError(t, err)

	// Twice: a failure to decide is not cached as an answer.
	for range 2 {
		err = authorizer.Authorize("root", "*", "produce")
		require.Error(t, err, "an Enforce error must deny: when the ACL cannot decide, refuse")
		require.Equal(t, codes.PermissionDenied.String(), status.Code(err).String(), "an Enforce error must deny with codes.PermissionDenied; got %v", err)
		require.Contains(t, status.Convert(err).Message(), "could not decide")
		require.NotContains(t, status.Convert(err).Message(), "goroutine", "casbin's error (a stack trace here) is not for the client")
	}
}
