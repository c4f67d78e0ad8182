package esdbdouble

import (
	"encoding/binary"
	"strconv"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	api "github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// cursor selects records of the log: of one stream (revisions) or of $all (positions).
type cursor struct {
	stream string // "" for $all
	// after: the first record served is the first one strictly after at; with
	// inclusive, the first one at or after it.
	at        uint64
	fromStart bool
	inclusive bool
}

// Read serves reads and catch-up subscriptions.
func (st *streams) Read(req *api.ReadReq, srv api.Streams_ReadServer) error {
	o := req.GetOptions()
	if o == nil {
		return status.Error(codes.InvalidArgument, "esdbdouble: read without options")
	}
	if o.GetFilter() != nil {
		return status.Error(codes.Unimplemented, "esdbdouble: $all filters are not implemented")
	}
	stringIDs := o.GetUuidOption().GetString_() != nil
	backwards := o.GetReadDirection() == api.ReadReq_Options_Backwards
	s := st.s
	var c cursor
	toEnd := false // the starting point is the end
	switch so := o.GetStreamOption().(type) {
	case *api.ReadReq_Options_Stream:
		c.stream = string(so.Stream.GetStreamIdentifier().GetStreamName())
		if c.stream == "" {
			return status.Error(codes.InvalidArgument, "esdbdouble: read without a stream")
		}
		switch r := so.Stream.GetRevisionOption().(type) {
		case *api.ReadReq_Options_StreamOptions_Start:
			c.fromStart = true
		case *api.ReadReq_Options_StreamOptions_End:
			toEnd = true
		case *api.ReadReq_Options_StreamOptions_Revision:
			c.at = r.Revision
		}
	case *api.ReadReq_Options_All:
		switch a := so.All.GetAllOption().(type) {
		case *api.ReadReq_Options_AllOptions_Start:
			c.fromStart = true
		case *api.ReadReq_Options_AllOptions_End:
			toEnd = true
		case *api.ReadReq_Options_AllOptions_Position:
			c.at = a.Position.GetCommitPosition()
		}
	default:
		return status.Error(codes.InvalidArgument, "esdbdouble: read without a stream option")
	}
	if o.GetSubscription() != nil {
		return s.subscribe(srv, c, toEnd, stringIDs)
	}
	c.inclusive = true
	recs, found := s.snapshot(c, toEnd, backwards, o.GetCount())
	if !found {
		return srv.Send(&api.ReadResp{Content: &api.ReadResp_StreamNotFound_{StreamNotFound: &api.ReadResp_StreamNotFound{
			StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(c.stream)},
		}}})
	}
	for _, r := range recs {
		if err := srv.Send(eventResp(r, stringIDs)); err != nil {
			return err
		}
	}
	return nil
}

// snapshot returns up to count records from a read's starting point, in the read's
// direction; found is false for a stream without events.
func (s *Server) snapshot(c cursor, toEnd, backwards bool, count uint64) (recs []record, found bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	idx := s.indexOf(c.stream)
	if c.stream != "" && len(idx) == 0 {
		return nil, false
	}
	key := func(i int) uint64 { return s.key(c.stream, s.recs[i]) }
	if backwards {
		for k := len(idx) - 1; k >= 0 && uint64(len(recs)) < count; k-- {
			// Backwards from a revision includes it; from a position, stops before it.
			if toEnd || (c.stream != "" && key(idx[k]) <= c.at) || (c.stream == "" && !c.fromStart && key(idx[k]) < c.at) {
				recs = append(recs, s.recs[idx[k]])
			}
		}
		return recs, true
	}
	if toEnd {
		return nil, true
	}
	for _, i := range idx {
		if uint64(len(recs)) >= count {
			break
		}
		if c.fromStart || key(i) >= c.at {
			recs = append(recs, s.recs[i])
		}
	}
	return recs, true
}

// indexOf returns the record indexes of a stream, or of the whole log for "".
func (s *Server) indexOf(stream string) []int {
	if stream != "" {
		return s.streams[stream]
	}
	all := make([]int, len(s.recs))
	for i := range all {
		all[i] = i
	}
	return all
}

// key is what a cursor compares: the revision in a stream, the position in $all.
func (s *Server) key(stream string, r record) uint64 {
	if stream != "" {
		return r.revision
	}
	return r.pos
}

// subscribe confirms, sends the backlog strictly after the starting point, CaughtUp,
// then live events until the client goes away or the server stops.
func (s *Server) subscribe(srv api.Streams_ReadServer, c cursor, toEnd, stringIDs bool) error {
	s.mu.Lock()
	if toEnd {
		// From the end: only what comes after now.
		c.fromStart = false
		if idx := s.indexOf(c.stream); len(idx) > 0 {
			c.at = s.key(c.stream, s.recs[idx[len(idx)-1]])
		} else if c.stream == "" {
			c.at = 0
		} else {
			c.fromStart = true
		}
	}
	s.mu.Unlock()
	if err := srv.Send(&api.ReadResp{Content: &api.ReadResp_Confirmation{Confirmation: &api.ReadResp_SubscriptionConfirmation{
		SubscriptionId: uuid.NewString(),
	}}}); err != nil {
		return err
	}
	caughtUp := false
	for {
		s.mu.Lock()
		var batch []record
		for _, i := range s.indexOf(c.stream) {
			if r := s.recs[i]; c.fromStart || s.key(c.stream, r) > c.at {
				batch = append(batch, r)
			}
		}
		changed := s.changed
		s.mu.Unlock()
		for _, r := range batch {
			if err := srv.Send(eventResp(r, stringIDs)); err != nil {
				return err
			}
			c.fromStart, c.at = false, s.key(c.stream, r)
		}
		if !caughtUp {
			caughtUp = true
			if err := srv.Send(&api.ReadResp{Content: &api.ReadResp_CaughtUp_{CaughtUp: &api.ReadResp_CaughtUp{}}}); err != nil {
				return err
			}
		}
		select {
		case <-changed:
		case <-srv.Context().Done():
			return status.FromContextError(srv.Context().Err()).Err()
		}
	}
}

// eventResp is a record as the client reads it: type, content type and creation time in
// the system metadata (the client dies without "created"), the ID in the requested form.
func eventResp(r record, stringIDs bool) *api.ReadResp {
	id := &shared.UUID{}
	if stringIDs {
		id.Value = &shared.UUID_String_{String_: r.id.String()}
	} else {
		id.Value = &shared.UUID_Structured_{Structured: &shared.UUID_Structured{
			MostSignificantBits:  int64(binary.BigEndian.Uint64(r.id[:8])),
			LeastSignificantBits: int64(binary.BigEndian.Uint64(r.id[8:])),
		}}
	}
	return &api.ReadResp{Content: &api.ReadResp_Event{Event: &api.ReadResp_ReadEvent{
		Event: &api.ReadResp_ReadEvent_RecordedEvent{
			Id:               id,
			StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(r.stream)},
			StreamRevision:   r.revision,
			PreparePosition:  r.pos,
			CommitPosition:   r.pos,
			Metadata: map[string]string{
				"type": r.typ, "content-type": r.contentType, "created": strconv.FormatInt(r.created, 10),
			},
			CustomMetadata: r.custom,
			Data:           r.data,
		},
		Position: &api.ReadResp_ReadEvent_CommitPosition{CommitPosition: r.pos},
	}}}
}
