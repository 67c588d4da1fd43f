package status

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"
)

// Handler serves a node's status ([NodePath]), its cluster's
// ([ClusterPath]), the page that shows them ([PagePath]) and the node's
// metrics ([MetricsPath]); "/" leads to the page. Every path is
// read-only (GET or HEAD) and none shows a record. Create it with
// [NewHandler] and call [Handler.Close] when the server that serves it has
// stopped. It is safe for concurrent use.
type Handler struct {
	source Source
	// client asks the other members for their status. It is the handler's
	// own, so that Close can drop its idle connections.
	client *http.Client
	mux    *http.ServeMux
}

// NewHandler returns a handler that serves source's status, and metrics at
// [MetricsPath] if metrics is not nil.
func NewHandler(source Source, metrics http.Handler) *Handler {
	h := &Handler{
		source: source,
		client: &http.Client{Transport: &http.Transport{
			// Only the members' status ports, which the gossip names: no
			// proxy from the environment.
			Proxy:                 nil,
			MaxIdleConnsPerHost:   1,
			IdleConnTimeout:       10 * time.Second,
			ResponseHeaderTimeout: MemberTimeout,
		}},
		mux: http.NewServeMux(),
	}
	h.mux.HandleFunc("GET "+PagePath, h.servePage)
	h.mux.HandleFunc("GET "+NodePath, h.serveNode)
	h.mux.HandleFunc("GET "+ClusterPath, h.serveCluster)
	h.mux.Handle("GET /{$}", http.RedirectHandler(PagePath, http.StatusFound))
	if metrics != nil {
		h.mux.Handle("GET "+MetricsPath, metrics)
	}
	return h
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mux.ServeHTTP(w, r)
}

// Close drops the connections kept open to the other members.
func (h *Handler) Close() {
	h.client.CloseIdleConnections()
}

// serveNode serves this node's status.
func (h *Handler) serveNode(w http.ResponseWriter, _ *http.Request) {
	n, err := h.source.Status()
	if err != nil {
		http.Error(w, "status: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, n)
}

// serveCluster serves the cluster's status, as this node gathers it.
func (h *Handler) serveCluster(w http.ResponseWriter, r *http.Request) {
	self, err := h.source.Status()
	if err != nil {
		http.Error(w, "status: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, h.gather(r.Context(), self))
}

// writeJSON writes v as the JSON answer, never cached: it is outdated in
// a second.
func writeJSON(w http.ResponseWriter, v any) {
	var b bytes.Buffer
	if err := json.NewEncoder(&b).Encode(v); err != nil {
		http.Error(w, "encode status: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b.Bytes()) // the client may have gone; nothing to do about it
}
