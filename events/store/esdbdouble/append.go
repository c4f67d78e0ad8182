package esdbdouble

import (
	"encoding/binary"
	"errors"
	"io"
	"strings"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	api "github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// streams serves the Streams service.
type streams struct {
	api.UnimplementedStreamsServer
	s *Server
}

// expectation is an append's expected stream revision.
type expectation struct {
	kind  string // "any", "no_stream", "stream_exists", "exact"
	exact uint64
}

// Append receives the options, then the proposed events, and answers once.
func (st *streams) Append(srv api.Streams_AppendServer) error {
	first, err := srv.Recv()
	if err != nil {
		return err
	}
	opts := first.GetOptions()
	if opts == nil {
		return status.Error(codes.InvalidArgument, "esdbdouble: the first append message must be the options")
	}
	stream := string(opts.GetStreamIdentifier().GetStreamName())
	if stream == "" || stream == "$all" {
		return status.Errorf(codes.InvalidArgument, "esdbdouble: cannot append to stream %q", stream)
	}
	var exp expectation
	switch o := opts.GetExpectedStreamRevision().(type) {
	case *api.AppendReq_Options_Any:
		exp.kind = "any"
	case *api.AppendReq_Options_NoStream:
		exp.kind = "no_stream"
	case *api.AppendReq_Options_StreamExists:
		exp.kind = "stream_exists"
	case *api.AppendReq_Options_Revision:
		exp = expectation{kind: "exact", exact: o.Revision}
	default:
		return status.Error(codes.InvalidArgument, "esdbdouble: no expected stream revision")
	}
	var evs []proposed
	for {
		m, err := srv.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err // the client went away: nothing is stored
		}
		p := m.GetProposedMessage()
		if p == nil {
			return status.Error(codes.InvalidArgument, "esdbdouble: expected a proposed message")
		}
		id, err := parseUUID(p.GetId())
		if err != nil {
			return status.Errorf(codes.InvalidArgument, "esdbdouble: event ID: %v", err)
		}
		md := p.GetMetadata()
		if md["type"] == "" || md["content-type"] == "" {
			return status.Error(codes.InvalidArgument, "esdbdouble: proposed message without type or content-type")
		}
		evs = append(evs, proposed{id: id, typ: md["type"], contentType: md["content-type"], data: p.GetData(), custom: p.GetCustomMetadata()})
	}
	return srv.SendAndClose(st.s.append(stream, exp, evs))
}

// append applies EventStoreDB's rules under the log's lock, so that the check and the
// write are one step and a batch is visible whole.
func (s *Server) append(stream string, exp expectation, evs []proposed) *api.AppendResp {
	s.mu.Lock()
	defer s.mu.Unlock()
	idx := s.streams[stream]
	cur := uint64(len(idx)) // the next revision
	// Idempotency first: the same event IDs already at the place the expectation
	// points to are acknowledged with the original result.
	if start, ok := s.idempotentStart(stream, exp, evs); ok {
		if last := start + uint64(len(evs)); len(evs) > 0 && last <= cur && s.sameIDs(idx[start:last], evs) {
			return success(s.recs[idx[last-1]])
		}
	}
	ok := false
	switch exp.kind {
	case "any":
		ok = true
	case "no_stream":
		ok = cur == 0
	case "stream_exists":
		ok = cur > 0
	case "exact":
		ok = cur > 0 && cur-1 == exp.exact
	}
	if !ok {
		return wrongExpectedVersion(cur, exp)
	}
	if len(evs) == 0 {
		if cur == 0 {
			return &api.AppendResp{Result: &api.AppendResp_Success_{Success: &api.AppendResp_Success{
				CurrentRevisionOption: &api.AppendResp_Success_NoStream{NoStream: &shared.Empty{}},
				PositionOption:        &api.AppendResp_Success_NoPosition{NoPosition: &shared.Empty{}},
			}}}
		}
		return success(s.recs[idx[cur-1]])
	}
	s.store(stream, evs)
	return success(s.recs[len(s.recs)-1])
}

// idempotentStart is the revision where evs would already be if this append had been
// made before: after the expected revision, at 0 for no_stream, where the first event
// ID is for any and stream_exists.
func (s *Server) idempotentStart(stream string, exp expectation, evs []proposed) (uint64, bool) {
	switch exp.kind {
	case "exact":
		return exp.exact + 1, true
	case "no_stream":
		return 0, true
	}
	if len(evs) == 0 {
		return 0, false
	}
	for rev, i := range s.streams[stream] {
		if s.recs[i].id == evs[0].id {
			return uint64(rev), true
		}
	}
	return 0, false
}

func (s *Server) sameIDs(idx []int, evs []proposed) bool {
	for i, r := range idx {
		if s.recs[r].id != evs[i].id {
			return false
		}
	}
	return true
}

func success(last record) *api.AppendResp {
	return &api.AppendResp{Result: &api.AppendResp_Success_{Success: &api.AppendResp_Success{
		CurrentRevisionOption: &api.AppendResp_Success_CurrentRevision{CurrentRevision: last.revision},
		PositionOption: &api.AppendResp_Success_Position{Position: &api.AppendResp_Position{
			CommitPosition: last.pos, PreparePosition: last.pos,
		}},
	}}}
}

func wrongExpectedVersion(cur uint64, exp expectation) *api.AppendResp {
	w := &api.AppendResp_WrongExpectedVersion{}
	if cur == 0 {
		w.CurrentRevisionOption = &api.AppendResp_WrongExpectedVersion_CurrentNoStream{CurrentNoStream: &shared.Empty{}}
	} else {
		w.CurrentRevisionOption = &api.AppendResp_WrongExpectedVersion_CurrentRevision{CurrentRevision: cur - 1}
	}
	switch exp.kind {
	case "any":
		w.ExpectedRevisionOption = &api.AppendResp_WrongExpectedVersion_ExpectedAny{ExpectedAny: &shared.Empty{}}
	case "no_stream":
		w.ExpectedRevisionOption = &api.AppendResp_WrongExpectedVersion_ExpectedNoStream{ExpectedNoStream: &shared.Empty{}}
	case "stream_exists":
		w.ExpectedRevisionOption = &api.AppendResp_WrongExpectedVersion_ExpectedStreamExists{ExpectedStreamExists: &shared.Empty{}}
	default:
		w.ExpectedRevisionOption = &api.AppendResp_WrongExpectedVersion_ExpectedRevision{ExpectedRevision: exp.exact}
	}
	return &api.AppendResp{Result: &api.AppendResp_WrongExpectedVersion_{WrongExpectedVersion: w}}
}

// parseUUID reads an ID in either of the protocol's forms.
func parseUUID(id *shared.UUID) (uuid.UUID, error) {
	if st := id.GetStructured(); st != nil {
		var b [16]byte
		binary.BigEndian.PutUint64(b[:8], uint64(st.MostSignificantBits))
		binary.BigEndian.PutUint64(b[8:], uint64(st.LeastSignificantBits))
		return uuid.UUID(b), nil
	}
	return uuid.Parse(strings.TrimSpace(id.GetString_()))
}
