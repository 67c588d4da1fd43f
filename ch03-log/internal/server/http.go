package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	api "github.com/proglog-workshop/proglog/ch03-log/api/v1"
)

// MaxRequestBytes bounds the body of a request. A larger body gets
// 413 Request Entity Too Large, so one client cannot make the server read
// without end.
const MaxRequestBytes = 1 << 20

// The timeouts a server from [NewHTTPServer] uses, and [Config] falls back
// to. Each one bounds how long a single connection may hold the server.
const (
	// DefaultReadHeaderTimeout bounds reading a request's line and headers.
	DefaultReadHeaderTimeout = 5 * time.Second
	// DefaultReadTimeout bounds reading a whole request, body included, so a
	// client that sends its body a byte at a time is cut off.
	DefaultReadTimeout = 10 * time.Second
	// DefaultWriteTimeout bounds the time from the end of the request
	// headers to the end of the response, so a client that never reads its
	// answer is cut off.
	DefaultWriteTimeout = 10 * time.Second
	// DefaultIdleTimeout bounds how long a kept-alive connection may wait
	// for its next request.
	DefaultIdleTimeout = 60 * time.Second
)

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

// Config configures a server made by [NewHTTPServerConfig]. A zero
// duration means the matching Default constant; a negative one is an error,
// since net/http would read it as "no limit at all".
type Config struct {
	// Addr is the TCP address to listen on, e.g. "127.0.0.1:8080".
	Addr string
	// ReadHeaderTimeout bounds reading a request's line and headers.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request, headers and body.
	ReadTimeout time.Duration
	// WriteTimeout bounds the time from the end of the request headers to
	// the end of the response.
	WriteTimeout time.Duration
	// IdleTimeout bounds the wait for the next request on a kept-alive
	// connection.
	IdleTimeout time.Duration
}

// NewHTTPServer returns a server, not yet listening, that serves a new empty
// log on addr: POST / appends a record, GET / reads one. It uses the
// Default timeouts.
func NewHTTPServer(addr string) *http.Server {
	return newServer(Config{Addr: addr}.withDefaults())
}

// NewHTTPServerConfig is [NewHTTPServer] with the timeouts of cfg. It
// returns an error, naming the field, for a negative timeout.
func NewHTTPServerConfig(cfg Config) (*http.Server, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return newServer(cfg.withDefaults()), nil
}

// newServer serves a new empty log with cfg's address and timeouts, which
// must already be validated and defaulted.
func newServer(cfg Config) *http.Server {
	return &http.Server{
		Addr:              cfg.Addr,
		Handler:           newHTTPServer().routes(),
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
	}
}

func (c Config) validate() error {
	for _, d := range []struct {
		name  string
		value time.Duration
	}{
		{"ReadHeaderTimeout", c.ReadHeaderTimeout},
		{"ReadTimeout", c.ReadTimeout},
		{"WriteTimeout", c.WriteTimeout},
		{"IdleTimeout", c.IdleTimeout},
	} {
		if d.value < 0 {
			return fmt.Errorf("Config.%s (%s) must not be negative", d.name, d.value)
		}
	}
	return nil
}

func (c Config) withDefaults() Config {
	orDefault := func(d *time.Duration, def time.Duration) {
		if *d == 0 {
			*d = def
		}
	}
	orDefault(&c.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	orDefault(&c.ReadTimeout, DefaultReadTimeout)
	orDefault(&c.WriteTimeout, DefaultWriteTimeout)
	orDefault(&c.IdleTimeout, DefaultIdleTimeout)
	return c
}

// commitLog is what the handlers need of a log. [Log] is one; a test can
// hand the handlers another that fails in ways a Log does not.
type commitLog interface {
	Append(record *api.Record) (uint64, error)
	Read(offset uint64) (*api.Record, error)
}

var _ commitLog = (*Log)(nil)

type httpServer struct {
	Log commitLog
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

// errTrailingData is why decode refuses a body with more after its JSON
// value.
var errTrailingData = errors.New("data after the JSON value")

// decode reads r's body, which must be exactly one JSON value (whitespace
// around it allowed), into v. On failure it answers the client itself (400
// for bad JSON or anything after the value, 413 for a body over
// MaxRequestBytes, trailing whitespace included) and returns false.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	body := http.MaxBytesReader(w, r.Body, MaxRequestBytes)
	dec := json.NewDecoder(body)
	err := dec.Decode(v)
	if err == nil {
		err = endOfBody(dec)
	}
	if err == nil {
		return true
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		http.Error(w, fmt.Sprintf("request body is over %d bytes", tooLarge.Limit), http.StatusRequestEntityTooLarge)
		return false
	}
	http.Error(w, "bad JSON: "+err.Error(), http.StatusBadRequest)
	return false
}

// endOfBody reads what is left of a body after dec has decoded one value.
// It returns nil if that is only whitespace, errTrailingData if it is
// anything else, and the read error (such as an [*http.MaxBytesError]) if
// the body cannot be read to its end. Reading to the end is what makes
// "{...} garbage" a bad request, and a value followed by endless spaces
// meet the size limit.
func endOfBody(dec *json.Decoder) error {
	_, err := dec.Token()
	var syntax *json.SyntaxError
	switch {
	case errors.Is(err, io.EOF):
		return nil
	case err == nil || errors.As(err, &syntax):
		return errTrailingData
	default:
		return err
	}
}

// encode writes v as the JSON body of a 200 response.
func encode(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	// The status line is already sent once the body starts: an error here
	// means the client went away, and there is no one left to tell.
	_ = json.NewEncoder(w).Encode(v)
}
