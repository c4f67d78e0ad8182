package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// EchoOutcome is what the raw websocket echo measured.
type EchoOutcome struct {
	// Echo is the time from a client sending a message to the same client receiving it
	// back from the broadcast.
	Echo *Latencies
	// Delivered is how many messages the first client received; Elapsed the measure's
	// length.
	Delivered int64
	Elapsed   time.Duration
}

// PerSecond is messages broadcast per second, as one client receives them.
func (o EchoOutcome) PerSecond() float64 {
	if o.Elapsed <= 0 {
		return 0
	}
	return float64(o.Delivered) / o.Elapsed.Seconds()
}

// echoMsg is a keystroke-sized message of the raw echo.
type echoMsg struct {
	Client int    `json:"client"`
	Seq    int    `json:"seq"`
	Body   string `json:"body"`
}

// RawEcho is the raw websocket baseline of co-drafting: a gorilla/websocket server that
// broadcasts every message it receives to every connected client, and clients clients
// each sending rate keystroke-sized messages per second for d, timing each message until
// it comes back to its sender. No authentication, no log, no projection: the floor.
func RawEcho(ctx context.Context, clients int, rate float64, d time.Duration) (EchoOutcome, error) {
	hub := newEchoHub()
	srv := httptest.NewServer(hub)
	defer srv.Close()
	defer hub.close()
	url := "ws" + strings.TrimPrefix(srv.URL, "http")
	conns := make([]*websocket.Conn, clients)
	for i := range conns {
		c, _, err := websocket.DefaultDialer.DialContext(ctx, url, nil)
		if err != nil {
			return EchoOutcome{}, fmt.Errorf("bench: raw echo: %w", err)
		}
		defer c.Close()
		conns[i] = c
	}
	for hub.count() < clients {
		time.Sleep(time.Millisecond)
	}
	out := EchoOutcome{Echo: &Latencies{}}
	var delivered atomic.Int64
	var counting atomic.Bool
	sent := make([]sync.Map, clients) // seq → time.Time
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Go(func() {
			for {
				_, b, err := c.ReadMessage()
				if err != nil {
					return
				}
				var m echoMsg
				if json.Unmarshal(b, &m) != nil {
					continue
				}
				if i == 0 && counting.Load() {
					delivered.Add(1)
				}
				if m.Client == i {
					if t, ok := sent[i].LoadAndDelete(m.Seq); ok && counting.Load() {
						out.Echo.Add(time.Since(t.(time.Time)))
					}
				}
			}
		})
	}
	counting.Store(true)
	start := time.Now()
	var writers sync.WaitGroup
	for i, c := range conns {
		writers.Go(func() {
			Paced(ctx, rate, d, i, clients, func(n int) bool {
				sent[i].Store(n, time.Now())
				b, _ := json.Marshal(echoMsg{Client: i, Seq: n, Body: "x"})
				return c.WriteMessage(websocket.TextMessage, b) == nil
			})
		})
	}
	writers.Wait()
	out.Elapsed = time.Since(start)
	counting.Store(false)
	out.Delivered = delivered.Load()
	for _, c := range conns {
		_ = c.Close()
	}
	wg.Wait()
	if out.Echo.Count() == 0 {
		return out, fmt.Errorf("bench: raw echo: no message came back")
	}
	return out, nil
}

// Paced calls key rate times a second for d, with the call's number, until key returns
// false or ctx ends: client i of of starts i/of of a period late, so that the clients
// of an open-loop load spread over each period instead of firing together.
func Paced(ctx context.Context, rate float64, d time.Duration, i, of int, key func(n int) bool) {
	period := time.Duration(float64(time.Second) / rate)
	end := time.Now().Add(d)
	select {
	case <-time.After(period * time.Duration(i) / time.Duration(of)):
	case <-ctx.Done():
		return
	}
	t := time.NewTicker(period)
	defer t.Stop()
	for n := 0; time.Now().Before(end); n++ {
		if !key(n) {
			return
		}
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
	}
}

// echoHub broadcasts every message to every connection, each with a writer of its own.
type echoHub struct {
	up    websocket.Upgrader
	mu    sync.Mutex
	conns map[chan []byte]struct{}
	wg    sync.WaitGroup
}

func newEchoHub() *echoHub { return &echoHub{conns: map[chan []byte]struct{}{}} }

func (h *echoHub) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.conns)
}

func (h *echoHub) close() { h.wg.Wait() }

func (h *echoHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, err := h.up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	out := make(chan []byte, 1024)
	h.mu.Lock()
	h.conns[out] = struct{}{}
	h.mu.Unlock()
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		for b := range out {
			if c.WriteMessage(websocket.TextMessage, b) != nil {
				break
			}
		}
		for range out { // drain until the reader unregisters
		}
	}()
	defer func() {
		h.mu.Lock()
		delete(h.conns, out)
		h.mu.Unlock()
		close(out)
		_ = c.Close()
	}()
	for {
		_, b, err := c.ReadMessage()
		if err != nil {
			return
		}
		h.mu.Lock()
		for o := range h.conns {
			select {
			case o <- b:
			default: // a client too slow for the floor: dropped, as the gateway would
			}
		}
		h.mu.Unlock()
	}
}
