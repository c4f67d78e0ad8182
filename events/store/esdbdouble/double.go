// Package esdbdouble is a TEST DOUBLE of EventStoreDB: an in-process gRPC server that
// speaks the part of EventStoreDB's client protocol Comité uses, built on the official Go
// client's own generated protos (github.com/EventStore/EventStore-Client-Go/v4/protos).
// It is not EventStoreDB and stores nothing on disk: it exists because EventStoreDB
// cannot be installed where Comité's tests run, so that the esdb adapter is tested
// through the real client and the real wire protocol. Run the same tests against a real
// server with COMITE_ESDB_URL (docs/EVENTSTOREDB.md).
//
// What it implements, following EventStoreDB's documented semantics:
//   - Streams.Append: expected revision any, no_stream, stream_exists or exact; a wrong
//     expectation is an in-band WrongExpectedVersion answer carrying the current and the
//     expected revision; a batch is stored whole or not at all; appending event IDs that
//     are already the events at the place the expectation points to is idempotent (the
//     original result, nothing stored), as EventStoreDB does.
//   - Streams.Read on a stream (forwards and backwards, from start, end or a revision,
//     inclusive; stream_not_found for a stream without events) and on $all (forwards from
//     start or a position, inclusive; backwards from the end or before a position).
//   - Subscriptions to a stream and to $all: a Confirmation first, the backlog strictly
//     after the starting point, CaughtUp, then live events.
//   - ServerFeatures.GetSupportedMethods (a version and no optional feature) and the
//     keepalive policy the client needs (it pings every 10 s even when idle).
//
// Positions are commit = prepare = a byte-offset-like counter: increasing, never dense,
// never starting at 1, so that a caller depending on dense positions fails here too. A
// system event ($settings) is written first, like a fresh EventStoreDB writes its own.
//
// TLS and basic credentials are available (Secure). Not implemented: users and ACLs, $all
// filters, persistent subscriptions, projections, deletion, BatchAppend, links.
package esdbdouble

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sync"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/serverfeatures"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	api "github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"
)

// Version is the EventStoreDB version the double announces.
const Version = "24.10.0"

// firstPosition is where the double's log starts: EventStoreDB's first events are never
// at position 1 either.
const firstPosition = 1024

// record is one stored event.
type record struct {
	stream      string
	revision    uint64
	id          uuid.UUID
	typ         string
	contentType string
	data        []byte
	custom      []byte
	created     int64 // .NET ticks (100 ns) since the Unix epoch
	pos         uint64
}

// Server is the double. Its log lives as long as the value: Stop and Start again serve
// the same events (a restarted server), on a new port.
type Server struct {
	mu      sync.Mutex
	recs    []record
	streams map[string][]int // indexes into recs, by revision
	next    uint64           // position of the next record
	changed chan struct{}    // closed and replaced on every append

	srvMu sync.Mutex
	srv   *grpc.Server
	done  chan struct{}
	tls   *tls.Config // set by Secure
	auth  string      // the Authorization header Secure requires
}

// New returns a double with an empty log (but for one system event).
func New() *Server {
	s := &Server{streams: map[string][]int{}, next: firstPosition, changed: make(chan struct{})}
	s.store("$settings", []proposed{{id: uuid.New(), typ: "$settings", contentType: "application/json", data: []byte(`{}`)}})
	return s
}

// Start serves the double on 127.0.0.1 on a free port and returns its connection string
// (esdb://127.0.0.1:PORT?tls=false; esdb://127.0.0.1:PORT, TLS, after Secure). It serves
// until Stop, or until ctx ends.
func (s *Server) Start(ctx context.Context) (string, error) {
	return s.listen(ctx, "127.0.0.1:0")
}

// StartAt serves the double at the address of a connection string it returned before
// (a restart where clients expect it).
func (s *Server) StartAt(ctx context.Context, connection string) (string, error) {
	u, err := url.Parse(connection)
	if err != nil {
		return "", fmt.Errorf("esdbdouble: %w", err)
	}
	return s.listen(ctx, u.Host)
}

func (s *Server) listen(ctx context.Context, addr string) (string, error) {
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	if s.srv != nil {
		return "", errors.New("esdbdouble: already started")
	}
	lis, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return "", fmt.Errorf("esdbdouble: %w", err)
	}
	srv := grpc.NewServer(append(s.serverOptions(),
		// The client pings every 10 s, idle or not; grpc-go's default policy answers
		// with GOAWAY (too_many_pings), which would kill live subscriptions.
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: time.Second, PermitWithoutStream: true}),
	)...)
	api.RegisterStreamsServer(srv, &streams{s: s})
	serverfeatures.RegisterServerFeaturesServer(srv, features{})
	done := make(chan struct{})
	s.srv, s.done = srv, done
	go func() {
		defer close(done)
		_ = srv.Serve(lis)
	}()
	context.AfterFunc(ctx, func() { s.stop(srv, false) })
	if s.tls != nil {
		return "esdb://" + lis.Addr().String(), nil
	}
	return "esdb://" + lis.Addr().String() + "?tls=false", nil
}

// Stop closes every connection at once, as a crashing server would; calls in flight
// fail. An append is applied whole or not at all. Start serves the log again.
func (s *Server) Stop() { s.stop(nil, false) }

// GracefulStop waits for calls in flight (but ends subscriptions) before stopping.
func (s *Server) GracefulStop() { s.stop(nil, true) }

func (s *Server) stop(only *grpc.Server, graceful bool) {
	s.srvMu.Lock()
	srv, done := s.srv, s.done
	if srv == nil || (only != nil && only != srv) {
		s.srvMu.Unlock()
		return
	}
	s.srv, s.done = nil, nil
	s.srvMu.Unlock()
	if graceful {
		// Subscriptions never end on their own: wake them so they see the server go.
		s.mu.Lock()
		close(s.changed)
		s.changed = make(chan struct{})
		s.mu.Unlock()
		stopped := make(chan struct{})
		go func() { srv.GracefulStop(); close(stopped) }()
		select {
		case <-stopped:
		case <-time.After(5 * time.Second):
			srv.Stop()
		}
	} else {
		srv.Stop()
	}
	<-done
}

// features answers ServerFeatures.GetSupportedMethods.
type features struct {
	serverfeatures.UnimplementedServerFeaturesServer
}

func (features) GetSupportedMethods(context.Context, *shared.Empty) (*serverfeatures.SupportedMethods, error) {
	return &serverfeatures.SupportedMethods{
		EventStoreServerVersion: Version,
		Methods: []*serverfeatures.SupportedMethod{
			{ServiceName: "event_store.client.streams.streams", MethodName: "read"},
			{ServiceName: "event_store.client.streams.streams", MethodName: "append"},
		},
	}, nil
}

// proposed is an event offered by an append.
type proposed struct {
	id          uuid.UUID
	typ         string
	contentType string
	data        []byte
	custom      []byte
}

// store appends evs to stream; the caller has checked the expectation under s.mu, or
// holds nothing else (New).
func (s *Server) store(stream string, evs []proposed) {
	now := time.Now().UnixNano() / 100
	for _, e := range evs {
		rev := uint64(len(s.streams[stream]))
		s.streams[stream] = append(s.streams[stream], len(s.recs))
		s.recs = append(s.recs, record{
			stream: stream, revision: rev, id: e.id, typ: e.typ, contentType: e.contentType,
			data: e.data, custom: e.custom, created: now, pos: s.next,
		})
		// Like a log offset: grows with the record's size.
		s.next += 64 + uint64(len(stream)+len(e.typ)+len(e.data)+len(e.custom))
	}
	close(s.changed)
	s.changed = make(chan struct{})
}
