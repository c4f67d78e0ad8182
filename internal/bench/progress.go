package bench

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Phase shows a progress bar for a measurement of length d on w (stderr) until the
// returned stop is called; stop clears the line. A nil w shows nothing.
func Phase(w io.Writer, label string, d time.Duration) (stop func()) {
	if w == nil || d <= 0 {
		return func() {}
	}
	const width = 30
	done := make(chan struct{})
	var wg sync.WaitGroup
	start := time.Now()
	draw := func() {
		frac := min(float64(time.Since(start))/float64(d), 1)
		n := int(frac * width)
		fmt.Fprintf(w, "\r%-44s [%s%s] %3.0f%%", label, strings.Repeat("#", n), strings.Repeat(".", width-n), frac*100)
	}
	wg.Go(func() {
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			draw()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return sync.OnceFunc(func() {
		close(done)
		wg.Wait()
		fmt.Fprintf(w, "\r%s\r", strings.Repeat(" ", 44+width+8))
	})
}
