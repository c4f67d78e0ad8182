package audit

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/merkle"
)

// decoded is one line of the events file once decoded and checked on its own: the
// envelope, its Merkle leaf, and whether its content still matches its hash.
type decoded struct {
	line int
	ev   events.Event
	leaf merkle.Hash
	// err is set when the line does not decode; altered when it decodes but its hash
	// is not the hash of its content.
	err     error
	altered bool
}

// maxLine bounds one envelope (a large co-drafting change is far below).
const maxLine = 64 << 20

// batchSize is how many lines a worker decodes at once.
const batchSize = 256

type batch struct {
	lines [][]byte
	first int
	out   []decoded
	done  chan struct{}
}

// decodeLines reads the events file and decodes and hashes its lines on workers
// goroutines, yielding them in file order. Stop by returning false from yield.
func decodeLines(r io.Reader, workers int, yield func(decoded) bool) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ordered := make(chan *batch, 4*workers)
	work := make(chan *batch, 4*workers)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for b := range work {
				b.out = make([]decoded, len(b.lines))
				for i, l := range b.lines {
					b.out[i] = decodeLine(b.first+i, l)
				}
				close(b.done)
			}
		})
	}
	var readErr error
	go func() {
		defer close(ordered)
		defer close(work)
		br := bufio.NewReaderSize(r, 1<<20)
		line := 0
		for {
			b := &batch{first: line + 1, done: make(chan struct{})}
			var err error
			for len(b.lines) < batchSize {
				var l []byte
				l, err = readLine(br)
				if len(l) > 0 {
					b.lines = append(b.lines, l)
					line++
				}
				if err != nil {
					break
				}
			}
			if len(b.lines) > 0 {
				select {
				case work <- b:
				case <-stop:
					return
				}
				select {
				case ordered <- b:
				case <-stop:
					return
				}
			}
			if err != nil {
				if err != io.EOF {
					readErr = err
				}
				return
			}
		}
	}()
	stopped := false
	for b := range ordered {
		if stopped {
			continue
		}
		<-b.done
		for _, d := range b.out {
			if !yield(d) {
				stopped = true
				close(stop)
				break
			}
		}
	}
	wg.Wait()
	return readErr
}

// readLine returns the next non-empty line without its newline (a copy).
func readLine(br *bufio.Reader) ([]byte, error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		buf = append(buf, chunk...)
		if len(buf) > maxLine {
			return nil, fmt.Errorf("a line of %s is longer than %d bytes", EventsFile, maxLine)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		buf = bytes.TrimRight(buf, "\r\n")
		if len(buf) == 0 && err == nil {
			continue
		}
		return buf, err
	}
}

func decodeLine(n int, l []byte) decoded {
	d := decoded{line: n}
	// Fast: decode without validating the payload, then hash the envelope as it is; a
	// match proves the payload is the canonical JSON hashed at append.
	if fastEnvelope(l, &d.ev, false) == nil {
		if ok, err := events.HashMatches(d.ev); err == nil && ok {
			if d.leaf, err = Leaf(d.ev); err == nil {
				return d
			}
		}
	}
	d.ev = events.Event{}
	if err := decodeEnvelope(l, &d.ev); err != nil {
		d.err = err
		return d
	}
	leaf, err := Leaf(d.ev)
	if err != nil {
		d.err = err
		return d
	}
	d.leaf = leaf
	ok, err := events.HashMatches(d.ev)
	d.altered = err != nil || !ok
	return d
}
