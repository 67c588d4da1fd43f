package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	api "github.com/proglog-workshop/proglog/ch03-log/api/v1"
)

// MaxRequestBytes bounds the body of a request. A larger body gets
// 413 Request Entity Too Large, so one client cannot make the server read
// without end.
const MaxRequestBytes = 1 << 20

// ProduceRequest is the body of POST /. The record travels in the JSON
// form encoding/json gives api.Record: value in base64, offset a number.
type ProduceRequest struct {
	Record *api.Record `json:"record"`
}

// ProduceResponse is the answer to POST /: where the record was stored.
type ProduceResponse struct {
	Offset uint64 `json:"offset"`
}

// ConsumeRequest is the body of GET /.
type ConsumeRequest struct {
	Offset uint64 `json:"offset"`
}

// ConsumeResponse is the answer to GET /.
type ConsumeResponse struct {
	Record *api.Record `json:"record"`
}

// NewHTTPServer returns a server, not yet listening, that serves a new empty
// log on addr: POST / appends a record, GET / reads one.
func NewHTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           newHTTPServer().routes(),
		ReadHeaderTimeout: 5 * time.Second,
	}
}

type httpServer struct {
	Log *Log
}

func newHTTPServer() *httpServer {
	return &httpServer{Log: NewLog()}
}

func (s *httpServer) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /{$}", s.handleProduce)
	mux.HandleFunc("GET /{$}", s.handleConsume)
	return mux
}

func (s *httpServer) handleProduce(w http.ResponseWriter, r *http.Request) {
	var req ProduceRequest
	if !decode(w, r, &req) {
		return
	}
	if req.Record == nil {
		http.Error(w, `bad request: no "record"`, http.StatusBadRequest)
		return
	}
	off, err := s.Log.Append(req.Record)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	encode(w, ProduceResponse{Offset: off})
}

func (s *httpServer) handleConsume(w http.ResponseWriter, r *http.Request) {
	var req ConsumeRequest
	if !decode(w, r, &req) {
		return
	}
	record, err := s.Log.Read(req.Offset)
	if errors.Is(err, ErrOffsetNotFound) {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	encode(w, ConsumeResponse{Record: record})
}

// decode reads r's JSON body into v. On failure it answers the client
// itself (400 for bad JSON, 413 for a body over MaxRequestBytes) and
// returns false.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	body := http.MaxBytesReader(w, r.Body, MaxRequestBytes)
	if err := json.NewDecoder(body).Decode(v); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			http.Error(w, fmt.Sprintf("request body is over %d bytes", tooLarge.Limit), http.StatusRequestEntityTooLarge)
			return false
		}
		http.Error(w, "bad JSON: "+err.Error(), http.StatusBadRequest)
		return false
	}
	return true
}

// encode writes v as the JSON body of a 200 response.
func encode(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	// The status line is already sent once the body starts: an error here
	// means the client went away, and there is no one left to tell.
	_ = json.NewEncoder(w).Encode(v)
}
