package status

import (
	"bytes"
	_ "embed"
	"html/template"
	"net/http"
	"strings"
)

// pageHTML is the page's template: the cluster's table as it is when the
// page is asked for, and a script that fetches ClusterPath about once a
// second and redraws it. It loads nothing else: no style sheet, font or
// script from elsewhere, since a workshop's projector is often offline.
//
//go:embed page.html
var pageHTML string

// page renders a [Cluster]. The script mirrors row and role: keep them
// alike.
var page = template.Must(template.New("status").Funcs(template.FuncMap{
	"row":    row,
	"role":   role,
	"leader": leaderOf,
}).Parse(pageHTML))

// row returns the class of n's row: down, leader, or none.
func row(n ClusterNode) string {
	switch {
	case !n.Reachable:
		return "down"
	case n.Status.IsLeader:
		return "leader"
	}
	return ""
}

// role returns what the role column says of n.
func role(n ClusterNode) string {
	if !n.Reachable {
		return "DOWN"
	}
	if n.Status.IsLeader {
		return "LEADER"
	}
	return strings.ToLower(n.Status.State)
}

// leaderOf returns the leader as the gathering node knows it, or a word
// saying there is none.
func leaderOf(c Cluster) string {
	for _, n := range c.Nodes {
		if n.Member.Name == c.From && n.Status != nil && n.Status.Leader.ID != "" {
			return n.Status.Leader.ID
		}
	}
	return "none (election)"
}

// servePage serves the page, drawn with the cluster as it is now.
func (h *Handler) servePage(w http.ResponseWriter, r *http.Request) {
	self, err := h.source.Status()
	if err != nil {
		http.Error(w, "status: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	var b bytes.Buffer
	if err := page.Execute(&b, h.gather(r.Context(), self)); err != nil {
		http.Error(w, "draw the status page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b.Bytes()) // the client may have gone; nothing to do about it
}
