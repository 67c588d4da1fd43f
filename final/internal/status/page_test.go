package status

import (
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestPageEscapesWhatMembersSay draws the page with a member whose name
// and error are markup: gossip comes from other machines, and the page
// must show it as text, not run it.
func TestPageEscapesWhatMembersSay(t *testing.T) {
	hostile := `<script>alert(1)</script>`
	self := Node{ID: "self", State: "Follower", Members: []Member{
		{Name: "self", Status: MemberAlive},
		{Name: hostile, HTTPAddr: hostile, Status: MemberAlive},
	}}
	addr := serve(t, newHandler(t, fixedSource{self}))
	res, err := http.Get("http://" + addr + PagePath)
	require.NoError(t, err)
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.NotContains(t, string(body), hostile, "a member's name must be escaped")
	require.Contains(t, string(body), "&lt;script&gt;alert(1)&lt;/script&gt;")
	require.Contains(t, string(body), `<tr class="down">`, "a member that does not answer is marked down")
	require.Contains(t, string(body), `<tr class=""><td>self</td><td>follower</td>`)
}
